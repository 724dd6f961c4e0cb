// The lambdagram binary: everything is in lg_app (run_cli), so tests can run the same code.
#include <unistd.h>

#include "app/context.h"

int main(int argc, char** argv) {
    app::AppContext ctx;
    ctx.stdin_is_terminal = isatty(STDIN_FILENO) != 0;
    return app::run_cli(argc, argv, ctx);
}
