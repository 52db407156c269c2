// MDF words both the server and the pages use: the activity types (the four pillars).
import type { PILLARS } from "../../db/schema";

export type Pillar = (typeof PILLARS)[number];
export const ACTIVITY_LABELS: Record<Pillar, string> = {
  build: "Build — enablement, certification, integration work",
  market: "Market — events, campaigns, content",
  sell: "Sell — joint selling, demos, pipeline days",
  serve: "Serve — onboarding and customer success programs",
};


/** The MDF claim form's choice of registrations to link: the newest this many (mdf.server.ts linkableDeals). */
export const LINKABLE_DEALS = 100;
