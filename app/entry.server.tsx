// Server rendering (Remix's default for Node, streamed), with two additions: every inline
// script carries the request's Content-Security-Policy nonce, and a request error is logged as
// one line (see app/server/request-log.ts) instead of Remix's stack trace per 404.
import type { AppLoadContext, EntryContext, HandleErrorFunction } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { PassThrough } from "node:stream";
import { renderToPipeableStream } from "react-dom/server";
import { NonceProvider } from "./components/nonce-provider";
import { logRequestFailure, thrownAt } from "./server/request-log";

export const streamTimeout = 5_000;

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  // Bots and SPA mode get the whole document at once; browsers get it streamed.
  const waitForAll = isbot(request.headers.get("user-agent") ?? "") || remixContext.isSpaMode;
  const nonce = loadContext.cspNonce;
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const ready = () => {
      shellRendered = true;
      const body = new PassThrough();
      responseHeaders.set("Content-Type", "text/html");
      resolve(
        new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status: responseStatusCode }),
      );
      pipe(body);
    };
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider value={nonce}>
        <RemixServer context={remixContext} url={request.url} nonce={nonce} />
      </NonceProvider>,
      {
        nonce,
        ...(waitForAll ? { onAllReady: ready } : { onShellReady: ready }),
        onShellError: reject,
        onError(error: unknown) {
          responseStatusCode = 500;
          // Errors before the shell reject and reach handleError; only later ones are logged here.
          if (shellRendered) {
            logRequestFailure({
              method: request.method,
              url: request.url,
              status: 500,
              reason: `rendering failed: ${error instanceof Error ? error.message : String(error)}`,
              at: thrownAt(error),
            });
          }
        },
      },
    );
    setTimeout(abort, streamTimeout + 1_000);
  });
}

export const handleError: HandleErrorFunction = (error, { request }) => {
  // A request the client gave up on is not an error of ours.
  if (request.signal.aborted) return;
  if (isRouteErrorResponse(error)) {
    // Remix's own answers (no route: 404, no action: 405, …): expected, no stack.
    logRequestFailure({ method: request.method, url: request.url, status: error.status, reason: error.statusText });
    return;
  }
  logRequestFailure({
    method: request.method,
    url: request.url,
    status: 500,
    reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    at: thrownAt(error),
  });
};
