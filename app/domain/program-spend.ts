// The spend categories and the channel each belongs to: what the spend page and the metrics share.
import type { SpendCategory } from "../../db/schema";

export type SpendChannel = "partner" | "direct";

export const SPEND_CATEGORY_INFO: Record<SpendCategory, { channel: SpendChannel; label: string }> = {
  commissions: { channel: "partner", label: "Partner commissions and rebates" },
  team: { channel: "partner", label: "Partner team cost" },
  tools: { channel: "partner", label: "Partner tools (PRM, portal, training)" },
  other_partner: { channel: "partner", label: "Other partner program cost" },
  direct_sales_marketing: { channel: "direct", label: "Direct sales and marketing" },
};

