// SPDX-License-Identifier: GPL-3.0-or-later
// Sends a known set of metrics with npm's hot-shots, over UDP or a Unix datagram socket, then exits.
// Usage: node send.js udp PORT | node send.js uds PATH
'use strict';
const StatsD = require('hot-shots');

const [mode, where] = process.argv.slice(2);
const options = mode === 'uds'
    ? { protocol: 'uds', path: where }
    : { host: '127.0.0.1', port: Number(where) };
const client = new StatsD({
    ...options,
    prefix: 'node.',
    globalTags: { service: 'checkout' },
    maxBufferSize: 1000,   // hot-shots packs several lines per datagram
    bufferFlushInterval: 50,
    errorHandler: (err) => { console.error('hot-shots error:', err.message); process.exitCode = 1; },
});

for (const ms of [3, 6, 9, 12]) {
    client.timing('latency', ms, { model: 'm1' });
}
client.increment('requests', 5, { status: 'ok' });
client.gauge('queue', 4);
client.distribution('payload', -1.5);                       // distributions may be negative
client.close((err) => {
    if (err) {
        console.error('close failed:', err.message);
        process.exitCode = 1;
    }
});
