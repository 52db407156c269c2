// The Remix request handler for Express. @remix-run/express's own handler streams the body
// from the socket itself (and keeps its helpers private); ours hands Remix the body that
// readRequestBody (request-body.ts) has already read and checked, and otherwise builds the
// request and sends the response the same way.
import {
  createRequestHandler,
  writeReadableStreamToWritable,
  type AppLoadContext,
  type ServerBuild,
} from "@remix-run/node";
import type express from "express";

type Options = {
  build: ServerBuild | (() => Promise<ServerBuild>);
  mode: "production" | "development";
  getLoadContext: (req: express.Request, res: express.Response) => AppLoadContext;
};

export function createRemixHandler({ build, mode, getLoadContext }: Options): express.RequestHandler {
  const handleRequest = createRequestHandler(build, mode);
  return async (req, res, next) => {
    try {
      const response = await handleRequest(remixRequest(req, res), getLoadContext(req, res));
      await sendResponse(res, response);
    } catch (error) {
      next(error);
    }
  };
}

function remixRequest(req: express.Request, res: express.Response): Request {
  // As @remix-run/express: the host from req.hostname (which follows "trust proxy") with the
  // port of X-Forwarded-Host or Host.
  const portOf = (header: string) => Number.parseInt(req.get(header)?.split(":")[1] ?? "", 10);
  const port = [portOf("x-forwarded-host"), portOf("host")].find(Number.isSafeInteger);
  const url = new URL(`${req.protocol}://${req.hostname}${port ? `:${port}` : ""}${req.originalUrl}`);

  // Abort the loaders and actions once the response can no longer be written.
  const controller = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(url.href, {
    method: req.method,
    headers: remixHeaders(req.headers),
    signal: controller.signal,
    body: hasBody && Buffer.isBuffer(req.body) ? new Uint8Array(req.body) : null,
  });
}

function remixHeaders(incoming: express.Request["headers"]): Headers {
  const headers = new Headers();
  for (const [key, values] of Object.entries(incoming)) {
    if (Array.isArray(values)) for (const value of values) headers.append(key, value);
    else if (values) headers.set(key, values);
  }
  return headers;
}

async function sendResponse(res: express.Response, response: Response) {
  res.statusMessage = response.statusText;
  res.status(response.status);
  for (const [key, value] of response.headers.entries()) res.append(key, value);
  if (response.headers.get("Content-Type")?.match(/text\/event-stream/i)) res.flushHeaders();
  if (response.body) await writeReadableStreamToWritable(response.body, res);
  else res.end();
}
