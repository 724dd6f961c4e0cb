// Starts telegram-test-api (a Telegram Bot API emulator) on a free loopback port for lambdagram's
// end-to-end tests and prints "PORT <n>". Stops on SIGTERM/SIGINT.
//   NODE_PATH=<build>/e2e-node/node_modules node tests/e2e/telegram_emulator.js
'use strict';
const net = require('net');
const TelegramServer = require('telegram-test-api');

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function main() {
  const port = await freePort();
  const server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 600 });
  await server.start();
  process.stdout.write(`PORT ${port}\n`);
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  process.stderr.write(`telegram_emulator: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
