// Auto-attach rules (GET /api/v1/auto-attach) as the console shows them: which rule made a port,
// and how a rule reads. Pure functions, tested without a browser.
//
// The agent does not say which rule attached a port, only that the owner is 'auto-attach'; it
// takes the first rule whose glob matches the interface's name, so the console does the same with
// the rules it loaded. The glob is the agent's (AutoAttachSpec.glob): * ? [a-z] [!0-9], the rest
// literal.

/** The owner the agent gives the ports its rules make. */
export const AUTO_ATTACH_OWNER = 'auto-attach';

/** The regular expression of a rule's glob, anchored at both ends; null for a glob the agent would refuse. */
export function globRegExp(glob) {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      re += '.*';
    } else if (c === '?') {
      re += '.';
    } else if (c === '[') {
      const close = glob.indexOf(']', i + 2);
      if (close < 0) return null;
      let set = glob.slice(i + 1, close);
      const negated = set.startsWith('!');
      if (negated) set = set.slice(1);
      if (set === '') return null;
      re += negated ? '[^' : '[';
      for (let k = 0; k < set.length; k++) {
        const range = set[k] === '-' && k > 0 && k < set.length - 1;
        re += range ? '-' : escape(set[k]);
      }
      re += ']';
      i = close;
    } else {
      re += escape(c);
    }
  }
  try {
    return new RegExp(`^${re}$`);
  } catch {
    return null; // a backwards range, which the agent refuses too
  }
}

function escape(c) {
  return c.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

/** Whether port `p` (as GET /ports lists it) was made by an auto-attach rule. */
export function autoAttached(p) {
  return !!p && p.owner === AUTO_ATTACH_OWNER;
}

/** The first of `rules` whose glob matches interface `name`, as the agent picks it, or null. */
export function ruleFor(rules, name) {
  for (const rule of rules || []) {
    const re = globRegExp(rule.match);
    if (re && re.test(name)) return rule;
  }
  return null;
}

/** What a rule makes of an interface, as a port's VLAN reads: "access 10", "trunk [10,20-29]", "trunk (all)". */
export function ruleVlanText(rule) {
  const vlan = rule && rule.vlan;
  if (!vlan) return 'trunk (all)';
  const parts = [vlan.mode];
  if (vlan.tag !== undefined && vlan.tag !== null) parts.push(String(vlan.tag));
  if (vlan.mode !== 'access' && vlan.mode !== 'dot1q-tunnel') parts.push(vlan.trunks ? `[${vlan.trunks}]` : '[all]');
  return parts.join(' ');
}

/** How many of `ports` each rule made now, keyed by the rule's index in `rules`. */
export function portsPerRule(rules, ports) {
  const counts = (rules || []).map(() => 0);
  for (const p of ports || []) {
    if (!autoAttached(p)) continue;
    const rule = ruleFor(rules, p.name);
    if (rule) counts[rules.indexOf(rule)]++;
  }
  return counts;
}
