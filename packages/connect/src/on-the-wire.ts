import type { ClientRequest } from 'node:http';

// Through getBuiltinModule, not `import`: no ESM facade to build at start-up (release-cli's
// promote path loads diagnostics_channel already).
const channels = process.getBuiltinModule('node:diagnostics_channel');

let written: Promise<void> | undefined;

/**
 * Resolves once an HTTP request of this process is on the wire: the next request (node:http or
 * node:https, so GitHub's and the registry's transports alike) whose bytes were handed to its
 * socket (its 'finish'), or that closed first (refused, aborted).
 *
 * Why: loading a large module holds the main thread until it is done (module loading never
 * yields to the event loop), and a request is not written until its connection is up, which
 * takes a turn of the event loop. Work meant to overlap a round trip must therefore start once
 * the request is written, not merely issued: started on a timer, the Sigstore verifier's load
 * held a promote's first request 13–23 ms between issue and write (bench: promote).
 */
export function requestOnTheWire(): Promise<void> {
  return (written ??= new Promise<void>((resolve) => {
    const onStart = (message: unknown) => {
      channels.unsubscribe('http.client.request.start', onStart);
      const request = (message as { request: ClientRequest }).request;
      // Not 'error': a listener of our own would change what an unhandled request error does.
      request.once('finish', () => resolve());
      request.once('close', () => resolve());
    };
    channels.subscribe('http.client.request.start', onStart);
  }));
}
