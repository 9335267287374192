import { useEffect } from 'react';
import { useAppStore } from '../../app/context';
import { rangeDays } from '../usage/range';
import './sync.css';

const number = (n: number) => n.toLocaleString();
const dollars = (n: number | null) => (n === null ? 'no price' : `$${n.toFixed(2)}`);

/** The range's days as instants: from the first day's local midnight to the midnight after the last. */
function rangeInstants(fromDay: string, toDay: string): { from: string; to: string } {
  const [fy, fm, fd] = fromDay.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = toDay.split('-').map(Number) as [number, number, number];
  return { from: new Date(fy, fm - 1, fd).toISOString(), to: new Date(ty, tm - 1, td + 1).toISOString() };
}

/** The Usage view's "Team" option: tokens, requests and estimated cost per member, from the server. */
export function TeamUsage() {
  const range = useAppStore((s) => s.usageRange);
  const usage = useAppStore((s) => s.teamUsage);
  const problem = useAppStore((s) => s.teamUsageProblem);
  const loadTeamUsage = useAppStore((s) => s.loadTeamUsage);
  const { fromDay, toDay } = rangeDays(range);

  useEffect(() => {
    const { from, to } = rangeInstants(fromDay, toDay);
    void loadTeamUsage(from, to);
  }, [fromDay, toDay, loadTeamUsage]);

  const data = usage.data;
  return (
    <section className="team-usage" aria-label="Team usage" aria-busy={usage.status === 'loading'}>
      {problem && (
        <p role="alert" className="muted">
          {problem}
        </p>
      )}
      {!problem && !data && (
        <p role="status" className="muted">
          Loading team usage…
        </p>
      )}
      {!problem && data && !data.enabled && (
        <div className="usage-empty" role="note">
          <h3>Team usage is not enabled</h3>
          <p>
            Your team admin has not enabled team usage, so each member&apos;s usage stays private. An admin turns it on
            with npm run team -- init &lt;admin-url&gt; --team-usage.
          </p>
        </div>
      )}
      {!problem && data?.enabled && (
        <table>
          <caption className="visually-hidden">
            Usage per member, {fromDay} to {toDay}
          </caption>
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col">Requests</th>
              <th scope="col">Tokens in</th>
              <th scope="col">Tokens out</th>
              <th scope="col">Estimated cost</th>
            </tr>
          </thead>
          <tbody>
            {data.rows.map((row) => (
              <tr key={row.userId}>
                <th scope="row">{row.name}</th>
                <td>{number(row.requests)}</td>
                <td>{number(row.tokensIn)}</td>
                <td>{number(row.tokensOut)}</td>
                <td>{dollars(row.costUsd)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
