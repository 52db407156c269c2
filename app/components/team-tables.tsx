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
  /** Whether the person receives the monthly report by email (shown where people are edited). */
  reportOptIn?: boolean;
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
 * Disable/Enable button when `canToggle`, and with `editRoles` (a partner's team page) every
 * row gets an Edit form for name, role and report opt-in; without (staff looking at a partner)
 * it only lists.
 */
export function PeopleTable({
  people,
  actions,
}: {
  people: Person[];
  actions?: { me: string; canToggle: boolean; busy: boolean; editRoles?: ReadonlyArray<{ value: string; label: string }> };
}) {
  const showTwoFactor = people.some((p) => p.twoFactor !== undefined);
  const editRoles = actions?.editRoles;
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
            {editRoles ? <th scope="col">Monthly report</th> : null}
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
              {editRoles ? <td>{person.reportOptIn ? "Receives it" : <span className="muted">No</span>}</td> : null}
              {actions ? (
                <td>
                  {editRoles ? (
                    <EditPerson person={person} roles={editRoles} isMe={person.id === actions.me} busy={actions.busy} />
                  ) : null}
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

/** A colleague's name, role and report opt-in, folded under an Edit toggle in their row. */
function EditPerson({
  person,
  roles,
  isMe,
  busy,
}: {
  person: Person;
  roles: ReadonlyArray<{ value: string; label: string }>;
  isMe: boolean;
  busy: boolean;
}) {
  const base = `edit-${person.id}`;
  return (
    <details>
      <summary>
        Edit<span className="visually-hidden"> {person.name}</span>
      </summary>
      <Form method="post" className="form" aria-label={`Edit ${person.name}`}>
        <input type="hidden" name="intent" value="update" />
        <input type="hidden" name="userId" value={person.id} />
        <label htmlFor={`${base}-name`}>Name</label>
        <input id={`${base}-name`} name="name" defaultValue={person.name} required maxLength={100} autoComplete="off" />
        {isMe ? (
          <>
            <input type="hidden" name="role" value={person.role} />
            <p className="muted small">Your own role is changed by another partner admin.</p>
          </>
        ) : (
          <>
            <label htmlFor={`${base}-role`}>Role</label>
            <select id={`${base}-role`} name="role" defaultValue={person.role}>
              {roles.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label}
                </option>
              ))}
            </select>
          </>
        )}
        <label className="row" style={{ gap: "0.5rem", flexWrap: "nowrap" }}>
          <input type="checkbox" name="reportOptIn" defaultChecked={person.reportOptIn ?? false} />
          <span>Receives the monthly report by email</span>
        </label>
        <button type="submit" disabled={busy}>
          Save<span className="visually-hidden"> {person.name}</span>
        </button>
      </Form>
    </details>
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
