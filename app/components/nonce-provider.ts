// The per-request Content-Security-Policy nonce, from the server's load context (entry.server)
// to the components that render inline scripts (root.tsx). In the browser it is "": browsers
// hide a nonce attribute from the page, and hydration does not re-create the scripts.
import { createContext, useContext } from "react";

const NonceContext = createContext("");

export const NonceProvider = NonceContext.Provider;

export function useNonce(): string {
  return useContext(NonceContext);
}
