// The code fields of two-factor sign-in, one zod schema each for the browser and the server.
import { z } from "zod";

/** A fresh authenticator code: while setting up, only the app's code proves it has the key. */
export const authenticatorCodeSchema = z.object({
  code: z
    .string({ required_error: "Enter the 6-digit code from your authenticator app." })
    .trim()
    .regex(/^\d{3} ?\d{3}$/, "Enter the 6 digits your authenticator app shows, e.g. 123456."),
});

/** At sign-in: an authenticator code or a recovery code. */
export const signInCodeSchema = z.object({
  code: z
    .string({ required_error: "Enter the code from your authenticator app, or a recovery code." })
    .trim()
    .max(40, "Enter the 6-digit code from your app, or a recovery code such as abcde-12345."),
});
