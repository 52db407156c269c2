// Hydration in the browser: Remix's default entry, kept here so that the dev server serves it
// from the app rather than from node_modules. The CSP nonce is not needed here: the scripts
// the server rendered are not re-created, and useNonce() gives "" in the browser.
import { RemixBrowser } from "@remix-run/react";
import { startTransition, StrictMode } from "react";
import { hydrateRoot } from "react-dom/client";

startTransition(() => {
  hydrateRoot(
    document,
    <StrictMode>
      <RemixBrowser />
    </StrictMode>,
  );
});
