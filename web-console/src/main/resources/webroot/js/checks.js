// Lab test results: each `lab-check` event of the agent's stream (one per check of a
// `tapswitch vm test` or POST /api/v1/labs/{name}/test, as it ends) colours the VMs the check ran
// in, and their links, by the last result: green for PASS, red for FAIL or ERROR (a check that
// could not be carried out has not shown what the lab file states either).

/** The key of a VM of a lab in the checks map. */
export function vmKey(lab, name) {
  return `${lab}/${name}`;
}

/**
 * The checks map (VM key -> 'PASS' | 'FAIL') after one lab-check event
 * {lab, name, kind, status, durationMillis, evidence, vms}; a fresh frozen Map.
 */
export function applyCheck(checks, result) {
  const next = new Map(checks);
  const verdict = result.status === 'PASS' ? 'PASS' : 'FAIL';
  for (const vm of result.vms || []) next.set(vmKey(result.lab, vm), verdict);
  return Object.freeze(next);
}

/** The VMs, each with the verdict of the last check it ran in (or none). */
export function withVerdicts(vms, checks) {
  if (!checks || checks.size === 0) return vms;
  return vms.map((vm) => {
    const verdict = checks.get(vmKey(vm.lab, vm.name));
    return verdict ? { ...vm, verdict } : vm;
  });
}

/** The classes a VM node and its links get from the VM's verdict: ' check-pass', ' check-fail' or ''. */
export function verdictClass(vm) {
  if (vm.verdict === 'PASS') return ' check-pass';
  if (vm.verdict === 'FAIL') return ' check-fail';
  return '';
}
