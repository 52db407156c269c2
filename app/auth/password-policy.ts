// The password policy: one zod schema the browser and the server both validate with, so a
// too-short password is reported as the user types, not only after submitting.
import { z } from "zod";

export const passwordSchema = z
  .string({ required_error: "Enter a password." })
  .min(10, "Use at least 10 characters.")
  .max(200, "Use at most 200 characters.");
