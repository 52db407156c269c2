CREATE TABLE `partner_deal_credits` (
	`partner_id` integer NOT NULL,
	`deal_id` integer NOT NULL,
	`closed_at` integer NOT NULL,
	`registered` integer NOT NULL,
	`involvement` text NOT NULL,
	`sourced_cents` integer NOT NULL,
	`first_cents` integer NOT NULL,
	`last_cents` integer NOT NULL,
	`linear_cents` integer NOT NULL,
	`time_decay_cents` integer NOT NULL,
	`position_cents` integer NOT NULL,
	PRIMARY KEY(`deal_id`, `partner_id`)
);
--> statement-breakpoint
CREATE INDEX `partner_deal_credits_partner_closed_idx` ON `partner_deal_credits` (`partner_id`,`closed_at`,`deal_id`,`registered`,`involvement`,`sourced_cents`,`first_cents`,`last_cents`,`linear_cents`,`time_decay_cents`,`position_cents`);--> statement-breakpoint
-- hand-written
-- Backfill from the rollup ledger (deal_rollups.credits holds every won deal's credits per
-- model as [partnerId, cents] pairs): one row per partner that registered or touched the deal.
INSERT INTO partner_deal_credits (partner_id, deal_id, closed_at, registered, involvement,
  sourced_cents, first_cents, last_cents, linear_cents, time_decay_cents, position_cents)
SELECT p.partner_id, d.id, d.closed_at,
  d.partner_id IS p.partner_id,
  CASE WHEN d.partner_id IS NOT p.partner_id THEN 'influenced'
       WHEN NOT EXISTS (SELECT 1 FROM touches t WHERE t.deal_id = d.id) THEN 'registered_untouched'
       WHEN EXISTS (SELECT 1 FROM touches t WHERE t.deal_id = d.id AND t.partner_id <> p.partner_id) THEN 'registered_shared'
       ELSE 'registered_own' END,
  coalesce((SELECT j.value ->> 1 FROM json_each(r.credits, '$.sourced') j WHERE j.value ->> 0 = p.partner_id), 0),
  coalesce((SELECT j.value ->> 1 FROM json_each(r.credits, '$.first') j WHERE j.value ->> 0 = p.partner_id), 0),
  coalesce((SELECT j.value ->> 1 FROM json_each(r.credits, '$.last') j WHERE j.value ->> 0 = p.partner_id), 0),
  coalesce((SELECT j.value ->> 1 FROM json_each(r.credits, '$.linear') j WHERE j.value ->> 0 = p.partner_id), 0),
  coalesce((SELECT j.value ->> 1 FROM json_each(r.credits, '$.time_decay') j WHERE j.value ->> 0 = p.partner_id), 0),
  coalesce((SELECT j.value ->> 1 FROM json_each(r.credits, '$.position') j WHERE j.value ->> 0 = p.partner_id), 0)
FROM deal_rollups r
JOIN deals d ON d.id = r.deal_id
JOIN (SELECT id AS deal_id, partner_id FROM deals WHERE partner_id IS NOT NULL AND stage = 'won'
      UNION SELECT deal_id, partner_id FROM touches) p ON p.deal_id = r.deal_id
WHERE r.stage = 'won';
