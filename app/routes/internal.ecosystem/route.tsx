// Ecosystem health for the partner team: how concentrated credited revenue is, how that moved
// over the last 12 month-ends, and which long-tail partners deserve a growth play. Names
// partners, so staff only. The figures are the ecosystem report's sections as of today
// (queries.server.ts); the long-tail filters live in the URL and feed the CSV export too.
import { parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { requireStaff } from "../../auth/guards.server";
import { actorOf } from "../../domain/audit.server";
import { formatDate } from "../../domain/format";
import { GrowthPlayError, recordGrowthPlay } from "../../domain/growth-plays.server";
import { IdempotencyError, idempotencyKeyOf, newIdempotencyToken } from "../../domain/idempotency.server";
import { countText } from "../../reports/contract";
import { ConcentrationAlerts, ConcentrationCurves, ConcentrationTiles, HeadAndTail } from "./concentration";
import { playSchema } from "./growth-play-form";
import { LongTail } from "./long-tail";
import { loadEcosystemPage } from "./queries.server";

export const meta: MetaFunction = () => [{ title: "Ecosystem health · Partner team" }];

export async function loader(args: LoaderFunctionArgs) {
  requireStaff(args);
  return {
    ...loadEcosystemPage(args.context.db, new URL(args.request.url).searchParams),
    // One per render (and per partner's form): a double click records a growth play once.
    idempotencyToken: newIdempotencyToken(),
  };
}

export async function action(args: ActionFunctionArgs) {
  const user = requireStaff(args);
  const { db } = args.context;
  const formData = await args.request.formData();
  const partnerId = Number(formData.get("partnerId"));
  const submission = parseWithZod(formData, { schema: playSchema });
  if (submission.status !== "success") {
    return data({ partnerId, result: submission.reply(), notice: null }, { status: 400 });
  }
  try {
    const key = idempotencyKeyOf(formData, user.id, `growth-play.${submission.value.partnerId}`);
    recordGrowthPlay(db, actorOf(user), submission.value, new Date(), key);
  } catch (error) {
    if (!(error instanceof GrowthPlayError || error instanceof IdempotencyError)) throw error;
    return data({ partnerId, result: submission.reply({ formErrors: [error.message] }), notice: null }, { status: 400 });
  }
  return { partnerId, result: submission.reply({ resetForm: true }), notice: "Growth play recorded." };
}

export default function Ecosystem() {
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Ecosystem health</h1>
          <p className="muted">
            Credited revenue of the {countText(d.concentration.n)} active partners, {formatDate(d.window.from)} –{" "}
            {formatDate(d.window.lastDay)} (12 months to the last month-end), {d.modelLabel} model.
          </p>
        </div>
        <Link to="/internal/metrics" className="button secondary">
          Program metrics
        </Link>
      </div>
      <ConcentrationAlerts alerts={d.alerts} />
      <ConcentrationTiles c={d.concentration} />
      <ConcentrationCurves d={d} />
      <HeadAndTail d={d} />
      <LongTail d={d} actionData={actionData} />
    </div>
  );
}
