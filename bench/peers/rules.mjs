// The 10 triage rules of bench/gen_rules.py, written once for each peer of `scripts/bench.sh
// peers`. The verdict policy (Rules, mode "all": every rule that matches sets the team, later
// rules overriding earlier ones) is the source; each rule's `when` follows one of the six
// templates of gen_rules.py, and is written here in each peer's own language with verdict's
// meaning of a missing field (it reads as null: comparisons with it are false, `x in list`
// is false, so `!(x in list)` is true).
//
// What a peer cannot say is given to it precomputed, and the adapter that computes it runs
// inside the peer's timed loop:
//   - the CMDB: a Map from CI id to {tier, owner} (CEL: a `cmdb` map variable; json-logic:
//     two operations; Cedar: `ci_tier` and `ci_owner` in the context);
//   - Cedar has no regex, no lower-casing and no size of a record: the title's lower-cased
//     words as a set (`title_words`), the number of labels (`label_count`).
// JavaScript's RegExp has no inline `(?i)`: the CEL peers match the lower-cased title.

// {name, kind, team, ...parameters} for each rule of a gen_rules.py policy.
export function readRules(policy) {
  return policy.spec.rules.map((r) => {
    const kind = r.name.split('-')[1];
    const team = JSON.parse(r.set.team);
    const w = r.when;
    let m;
    const rule = { name: r.name, kind, team };
    switch (kind) {
      case 'cmp':
        m = w.match(/^incident\.affected_users > (\d+) && incident\.impact == '(\w+)'$/);
        Object.assign(rule, { n: Number(m[1]), impact: m[2] });
        break;
      case 'in':
        m = w.match(/^incident\.service in (\[.*\]) && incident\.environment == 'production'$/);
        Object.assign(rule, { services: JSON.parse(m[1]) });
        break;
      case 'regex':
        m = w.match(/^incident\.title\.matches\(r'\(\?i\)\\b\(([\w|]+)\)\\b'\)$/);
        Object.assign(rule, { words: m[1].split('|') });
        break;
      case 'cmdb':
        m = w.match(/^cmdb\.tier\(incident\.ci\) == (\d+) && cmdb\.owner\(incident\.ci\) == '([\w-]+)'$/);
        Object.assign(rule, { tier: Number(m[1]), owner: m[2] });
        break;
      case 'macro':
        m = w.match(/^incident\.labels\.team == '([\w-]+)' \|\| size\(incident\.labels\) > (\d+)$/);
        Object.assign(rule, { labelTeam: m[1], n: Number(m[2]) });
        break;
      case 'mixed':
        m = w.match(/^incident\.description\.contains\('(\w+)'\) && incident\.affected_users >= (\d+) && !\(incident\.labels\.source in (\[.*\])\)$/);
        Object.assign(rule, { word: m[1], n: Number(m[2]), sources: JSON.parse(m[3].replace(/'/g, '"')) });
        break;
      default:
        m = null;
    }
    if (!m) throw new Error(`bench/peers/rules.mjs: rule ${r.name} does not follow a gen_rules.py template: ${w}`);
    return rule;
  });
}

// The CMDB as a Map id -> {tier, owner} (samples/cmdb.json: {"items": [...]}).
export function readCmdb(doc) {
  const map = new Map();
  for (const it of doc.items ?? []) map.set(it.id, { tier: it.tier ?? null, owner: it.owner ?? null });
  return map;
}

const q = (s) => JSON.stringify(s);

// Hand-written JavaScript: one closure per rule.
export function handWritten(rules, cmdb) {
  const tests = rules.map((r) => {
    switch (r.kind) {
      case 'cmp': return (i) => typeof i.affected_users === 'number' && i.affected_users > r.n && i.impact === r.impact;
      case 'in': return (i) => r.services.includes(i.service) && i.environment === 'production';
      case 'regex': {
        const re = new RegExp(`\\b(${r.words.join('|')})\\b`, 'i');
        return (i) => typeof i.title === 'string' && re.test(i.title);
      }
      case 'cmdb': return (i) => { const ci = cmdb.get(i.ci); return ci !== undefined && ci.tier === r.tier && ci.owner === r.owner; };
      case 'macro': return (i) => {
        const l = i.labels;
        return l !== null && typeof l === 'object' && (l.team === r.labelTeam || Object.keys(l).length > r.n);
      };
      case 'mixed': return (i) => typeof i.description === 'string' && i.description.includes(r.word) &&
        typeof i.affected_users === 'number' && i.affected_users >= r.n && !r.sources.includes(i.labels?.source);
      default: throw new Error(r.kind);
    }
  });
  return (incident) => {
    let team = null;
    for (let k = 0; k < tests.length; k++) if (tests[k](incident)) team = rules[k].team;
    return team;
  };
}

// CEL (both CEL peers): `incident` and `cmdb` (a map id -> {tier, owner}) are the variables.
// `&&` chains are nested to the right: cel-js does not stop a flat chain of three or more at
// the first false operand (it then fails on the field that has() just found missing).
// `dialect` 'cel-js': that library has no string methods, so matching and `contains` are
// calls of functions the host gives it (contains; matches_words(s, "a|b") is RE2's
// `(?i)\b(a|b)\b`: cel-js keeps a string literal's backslashes as they are written).
export function celSource(r, dialect = 'cel') {
  const has = (f) => `has(incident.${f})`;
  const and = (...parts) => parts.reduceRight((right, left) => `${left} && (${right})`);
  const js = dialect === 'cel-js';
  switch (r.kind) {
    case 'cmp': return and(has('affected_users'), `incident.affected_users > ${r.n}.0`, has('impact'), `incident.impact == ${q(r.impact)}`);
    case 'in': return and(has('service'), `incident.service in ${q(r.services)}`, has('environment'), "incident.environment == 'production'");
    case 'regex': {
      const re = q(`\\b(${r.words.join('|')})\\b`);
      return and(has('title'), js ? `matches_words(incident.title, ${q(r.words.join('|'))})` : `incident.title.lowerAscii().matches(${re})`);
    }
    case 'cmdb': return and(has('ci'), 'incident.ci in cmdb', `cmdb[incident.ci].tier == ${r.tier}.0`, `cmdb[incident.ci].owner == ${q(r.owner)}`);
    case 'macro': return and(has('labels'), `((${and(has('labels.team'), `incident.labels.team == ${q(r.labelTeam)}`)}) || size(incident.labels) > ${r.n})`);
    case 'mixed': return and(has('description'), js ? `contains(incident.description, ${q(r.word)})` : `incident.description.contains(${q(r.word)})`,
      has('affected_users'), `incident.affected_users >= ${r.n}.0`,
      `!(${and(has('labels'), has('labels.source'), `incident.labels.source in ${q(r.sources)}`)})`);
    default: throw new Error(r.kind);
  }
}

// json-logic: the incident is the data; `cmdb_tier`, `cmdb_owner`, `matches` and `size` are
// operations the host adds (jsonLogicOperations).
export function jsonLogic(r) {
  const v = (f) => ({ var: f });
  switch (r.kind) {
    case 'cmp': return { and: [{ '>': [v('affected_users'), r.n] }, { '===': [v('impact'), r.impact] }] };
    case 'in': return { and: [{ in: [v('service'), r.services] }, { '===': [v('environment'), 'production'] }] };
    case 'regex': return { matches: [v('title'), `\\b(${r.words.join('|')})\\b`] };
    case 'cmdb': return { and: [{ '===': [{ cmdb_tier: [v('ci')] }, r.tier] }, { '===': [{ cmdb_owner: [v('ci')] }, r.owner] }] };
    case 'macro': return { or: [{ '===': [v('labels.team'), r.labelTeam] }, { '>': [{ size: [v('labels')] }, r.n] }] };
    case 'mixed': return { and: [{ in: [r.word, v('description')] }, { '>=': [v('affected_users'), r.n] }, { '!': { in: [v('labels.source'), r.sources] } }] };
    default: throw new Error(r.kind);
  }
}

export function jsonLogicOperations(cmdb) {
  const res = new Map();
  return {
    cmdb_tier: (id) => cmdb.get(id)?.tier ?? null,
    cmdb_owner: (id) => cmdb.get(id)?.owner ?? null,
    matches: (s, re) => {
      if (typeof s !== 'string') return false;
      let r = res.get(re);
      if (!r) res.set(re, (r = new RegExp(re, 'i')));
      return r.test(s);
    },
    size: (x) => (x !== null && typeof x === 'object' ? Object.keys(x).length : null),
  };
}

// Cedar: one `permit` per rule, its id the rule's name; the request's context is the incident's
// fields the rules read plus what Cedar cannot compute (cedarContext).
export function cedarPolicy(r) {
  const has = (f) => `context has ${f}`;
  let when;
  switch (r.kind) {
    case 'cmp': when = `${has('affected_users')} && context.affected_users > ${r.n} && ${has('impact')} && context.impact == ${q(r.impact)}`; break;
    case 'in': when = `${has('service')} && ${q(r.services)}.contains(context.service) && ${has('environment')} && context.environment == "production"`; break;
    case 'regex': when = `context.title_words.containsAny(${q(r.words)})`; break;
    case 'cmdb': when = `${has('ci_tier')} && context.ci_tier == ${r.tier} && ${has('ci_owner')} && context.ci_owner == ${q(r.owner)}`; break;
    case 'macro': when = `(context.labels has team && context.labels.team == ${q(r.labelTeam)}) || context.label_count > ${r.n}`; break;
    case 'mixed': when = `${has('description')} && context.description like ${q(`*${r.word}*`)} && ${has('affected_users')} && ` +
      `context.affected_users >= ${r.n} && !(context.labels has source && ${q(r.sources)}.contains(context.labels.source))`; break;
    default: throw new Error(r.kind);
  }
  return `permit(principal, action, resource) when { ${when} };\n`;
}

const WORD = /[a-z0-9_]+/g;
export function cedarContext(i, cmdb) {
  const c = {};
  for (const f of ['service', 'environment', 'impact', 'description'])
    if (typeof i[f] === 'string') c[f] = i[f];
  if (Number.isInteger(i.affected_users)) c.affected_users = i.affected_users;
  c.title_words = typeof i.title === 'string' ? i.title.toLowerCase().match(WORD) ?? [] : [];
  const labels = i.labels !== null && typeof i.labels === 'object' ? i.labels : {};
  const l = {};
  for (const [k, val] of Object.entries(labels)) if (typeof val === 'string') l[k] = val;
  c.labels = l;
  c.label_count = Object.keys(labels).length;
  const ci = cmdb.get(i.ci);
  if (ci && ci.tier !== null) c.ci_tier = ci.tier;
  if (ci && ci.owner !== null) c.ci_owner = ci.owner;
  return c;
}
