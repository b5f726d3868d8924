/**
 * Run as its own process by ordered-window.test.ts: a request fails while the window's owner is busy elsewhere
 * (reading the next batch), and only later asks for it. Exits 0 and prints the failure when the window kept the
 * rejection handled; an unhandled rejection ends the process with code 1 first, as it would end the server.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { OrderedWindow } from '../../../src/runners/transform/ordered-window.js';

const window = new OrderedWindow<string>();
window.push(sleep(20).then(() => 'first'));
window.push(Promise.reject(new Error('the model answered 400')));
await sleep(100);
process.stdout.write(`${await window.next()}\n`);
try {
  await window.next();
} catch (error) {
  process.stdout.write(`${(error as Error).message}\n`);
}
