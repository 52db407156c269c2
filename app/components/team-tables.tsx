// The people and open-invitations tables of a team page (a partner's colleagues or the
// partner team), and the people list on a partner's page. The page decides who may act; these
// only render.
import { Form } from "@remix-run/react";
import { formatDate } from "../domain/format";
import { humanize } from "./forms";

type Person = {
  id: string;
  name: string;
  email: string;
  role: string;
  disabledAt: Date | string | null;
  /** Whether the person signs in with two-factor; lists that do not know it leave the column out. */
  twoFactor?: boolean;
};
type Invitation = {
  id: number;
  name: string;
  email: string;
  role: string;
  invitedByName: string | null;
  expiresAt: Date | string;
  expired: boolean;
};

/**
 * The people of a team. With `actions` (a team page) each row but the viewer's own gets a
 * Disable/Enable button when `canToggle`; without (staff looking at a partner) it only lists.
 */
export function PeopleTable({
  people,
  actions,
}: {
  people: Person[];
  actions?: { me: string; canToggle: boolean; busy: boolean };
}) {
  const showTwoFactor = people.some((p) => p.twoFactor !== undefined);
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            {showTwoFactor ? <th scope="col">Two-factor</th> : null}
            {actions ? (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {people.map((person) => (
            <tr key={person.id}>
              <td>{person.name}</td>
              <td>{person.email}</td>
              <td>{humanize(person.role)}</td>
              <td>
                {person.disabledAt ? <span className="badge danger">Disabled</span> : <span className="badge ok">Active</span>}
              </td>
              {showTwoFactor ? (
                <td>{person.twoFactor ? <span className="badge ok">On</span> : <span className="badge neutral">Off</span>}</td>
              ) : null}
              {actions ? (
                <td>
                  {person.id === actions.me ? (
                    <span className="muted small">You</span>
                  ) : !actions.canToggle ? null : (
                    <Form method="post">
                      <input type="hidden" name="userId" value={person.id} />
                      <button
                        type="submit"
                        name="intent"
                        value={person.disabledAt ? "enable" : "disable"}
                        className="secondary"
                        disabled={actions.busy}
                      >
                        {person.disabledAt ? "Enable" : "Disable"}
                        <span className="visually-hidden"> {person.name}</span>
                      </button>
                    </Form>
                  )}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Open invitations; each gets a Revoke button unless `canRevoke` is false (a read-only viewer). */
export function InvitationsSection({
  invitations,
  busy,
  canRevoke = true,
}: {
  invitations: Invitation[];
  busy: boolean;
  canRevoke?: boolean;
}) {
  return (
    <section className="card" aria-labelledby="invitations">
      <h2 id="invitations">Open invitations</h2>
      {invitations.length === 0 ? (
        <p className="muted">No invitations are waiting to be accepted.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Invited by</th>
                <th scope="col">Link works until</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {invitations.map((invitation) => (
                <tr key={invitation.id}>
                  <td>{invitation.name}</td>
                  <td>{invitation.email}</td>
                  <td>{humanize(invitation.role)}</td>
                  <td>{invitation.invitedByName ?? "—"}</td>
                  <td>
                    {invitation.expired ? (
                      <span className="badge warn">Expired: invite again</span>
                    ) : (
                      formatDate(invitation.expiresAt)
                    )}
                  </td>
                  <td>
                    {canRevoke ? (
                      <Form method="post">
                        <input type="hidden" name="invitationId" value={invitation.id} />
                        <button type="submit" name="intent" value="revoke" className="secondary" disabled={busy}>
                          Revoke<span className="visually-hidden"> the invitation to {invitation.email}</span>
                        </button>
                      </Form>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
