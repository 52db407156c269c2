import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { homeFor } from "../auth/guards.server";

export async function loader({ context }: LoaderFunctionArgs) {
  throw redirect(context.auth ? homeFor(context.auth.user) : "/login");
}
