/* The `bootstrap` of a lambdagram function zip: a freestanding static program (no libc, no shell,
 * about 2 KB) that runs the bundled dynamic loader on the bundled binary, so the function uses its
 * own glibc and libraries instead of the host's (Amazon Linux 2023 has an older glibc):
 *   <root>/lib/ld-linux-x86-64.so.2 --library-path <root>/lib <root>/bin/lambdagram lambda
 * <root> is the directory of this program: /proc/self/exe, else argv[0], else LAMBDA_TASK_ROOT.
 * SSL_CERT_FILE (which lambdagram hands to libcurl) is set, unless already set, to Amazon Linux's
 * CA bundle when it exists, else to the bundled <root>/etc/ssl/certs/ca-certificates.crt.
 * Built by src/app/package/CMakeLists.txt and embedded in lambdagram (docs/deploy.md). */

#if defined(__x86_64__)
#define LG_LOADER "ld-linux-x86-64.so.2"
#define SYS_READ_LINK 89
#define SYS_ACCESS 21
#define SYS_EXECVE 59
#define SYS_WRITE 1
#define SYS_EXIT 60
__asm__(
    ".text\n"
    ".global _start\n"
    "_start:\n"
    "  xor %rbp, %rbp\n"
    "  mov %rsp, %rdi\n"
    "  and $-16, %rsp\n"
    "  call launcher_main\n"
    "  hlt\n");

static long sys3(long n, long a, long b, long c) {
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return ret;
}
#else
#error "the bootstrap launcher supports x86_64 only for now"
#endif

#define PATH_CAP 4096
#define ENV_CAP 1024

static const char kAl2023Certs[] = "/etc/pki/tls/certs/ca-bundle.crt";
static const char kBundledCerts[] = "/etc/ssl/certs/ca-certificates.crt";

static unsigned long str_len(const char* s) {
    unsigned long n = 0;
    while (s[n]) ++n;
    return n;
}

/* Appends `s` at out[*len], keeping room for the terminator; returns 0 when it does not fit. */
static int append(char* out, unsigned long* len, const char* s) {
    unsigned long n = str_len(s);
    if (*len + n + 1 > PATH_CAP) return 0;
    for (unsigned long i = 0; i < n; ++i) out[*len + i] = s[i];
    *len += n;
    out[*len] = 0;
    return 1;
}

static int starts_with(const char* s, const char* prefix) {
    while (*prefix) {
        if (*s++ != *prefix++) return 0;
    }
    return 1;
}

static void die(const char* message) {
    static const char kPrefix[] = "bootstrap: ";
    sys3(SYS_WRITE, 2, (long)kPrefix, sizeof kPrefix - 1);
    sys3(SYS_WRITE, 2, (long)message, (long)str_len(message));
    sys3(SYS_WRITE, 2, (long)"\n", 1);
    sys3(SYS_EXIT, 127, 0, 0);
}

/* The directory holding this program, without a trailing slash ("." when unknown). */
static void find_root(char* root, char* argv0, char** envp) {
    unsigned long len = 0;
    long n = sys3(SYS_READ_LINK, (long)"/proc/self/exe", (long)root, PATH_CAP - 1);
    if (n > 0) {
        root[n] = 0;
    } else if (argv0 && argv0[0]) {
        root[0] = 0;
        append(root, &len, argv0);
    } else {
        root[0] = 0;
        for (char** e = envp; *e; ++e) {
            if (starts_with(*e, "LAMBDA_TASK_ROOT=")) {
                append(root, &len, *e + 17);
                append(root, &len, "/bootstrap");
            }
        }
    }
    long slash = -1;
    for (long i = 0; root[i]; ++i) {
        if (root[i] == '/') slash = i;
    }
    if (slash > 0) {
        root[slash] = 0;
    } else if (slash == 0) {
        root[1] = 0;  /* "/bootstrap": the root directory */
    } else {
        root[0] = '.';
        root[1] = 0;
    }
}

static void join(char* out, const char* root, const char* rest) {
    unsigned long len = 0;
    out[0] = 0;
    if (!append(out, &len, root) || !append(out, &len, rest)) die("path too long");
}

void launcher_main(long* sp) {
    static char root[PATH_CAP], loader[PATH_CAP], libdir[PATH_CAP], binary[PATH_CAP];
    static char certs[PATH_CAP + 16];
    static char* env[ENV_CAP + 2];
    long argc = sp[0];
    char** argv = (char**)(sp + 1);
    char** envp = argv + argc + 1;

    find_root(root, argc > 0 ? argv[0] : 0, envp);
    join(loader, root, "/lib/" LG_LOADER);
    join(libdir, root, "/lib");
    join(binary, root, "/bin/lambdagram");

    int n_env = 0, has_certs = 0;
    for (char** e = envp; *e && n_env < ENV_CAP; ++e) {
        if (starts_with(*e, "SSL_CERT_FILE=")) has_certs = 1;
        env[n_env++] = *e;
    }
    if (!has_certs) {
        unsigned long len = 0;
        certs[0] = 0;
        append(certs, &len, "SSL_CERT_FILE=");
        if (sys3(SYS_ACCESS, (long)kAl2023Certs, 4 /* R_OK */, 0) == 0) {
            append(certs, &len, kAl2023Certs);
        } else {
            append(certs, &len, root);
            append(certs, &len, kBundledCerts);
        }
        env[n_env++] = certs;
    }
    env[n_env] = 0;

    char* args[] = {loader, "--library-path", libdir, binary, "lambda", 0};
    sys3(SYS_EXECVE, (long)loader, (long)args, (long)env);
    die("cannot run lib/" LG_LOADER " (is the function zip complete?)");
}
