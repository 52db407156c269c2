import type { LinksFunction, MetaFunction } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Links,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useRouteError,
} from "@remix-run/react";
import type { ReactNode } from "react";
import { useNonce } from "./components/nonce-provider";
import stylesheet from "./styles/app.css?url";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: "Partner Portal" }];

export function Layout({ children }: { children: ReactNode }) {
  // The Content-Security-Policy allows inline scripts only with this request's nonce.
  const nonce = useNonce();
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  let title = "Something went wrong";
  let message = "An unexpected error occurred. Try again, and tell the partner team if it persists.";
  if (isRouteErrorResponse(error)) {
    if (error.status === 404) {
      title = "Not found";
      message = "There is nothing here, or you do not have access to it.";
    } else if (error.status === 403) {
      title = "No access";
      message = typeof error.data === "string" && error.data ? error.data : "You do not have access to this page.";
    } else {
      title = `${error.status} ${error.statusText}`;
      if (typeof error.data === "string" && error.data) message = error.data;
    }
  }
  return (
    <main className="error-page card" id="main">
      <h1>{title}</h1>
      <p>{message}</p>
      <p>
        <a href="/">Back to the portal</a>
      </p>
    </main>
  );
}
