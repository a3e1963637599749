/** Automations: waits for the automations API, which this server does not serve yet. */
export default function AutomationList() {
  return (
    <>
      <h1>Automations</h1>
      <p>This server has no automations API yet.</p>
    </>
  );
}
