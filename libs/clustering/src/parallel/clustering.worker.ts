/** The worker-thread side of `WorkerPool`: runs each task it is sent and posts the result back. */
import { parentPort } from 'node:worker_threads';
import { runTask, type WorkerReply, type WorkerTask } from './worker-tasks';

const port = parentPort;
if (!port) throw new Error('clustering.worker.ts must run in a worker thread');

port.on('message', ({ id, task }: { id: number; task: WorkerTask }) => {
  let reply: WorkerReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const done = runTask(task);
    reply = { id, result: done.result };
    transfer = done.transfer;
  } catch (error) {
    reply = { id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  port.postMessage(reply, transfer);
});
