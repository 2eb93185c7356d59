// The workshop around the board: phase, lock, dots, timer and "follow me" (docs/protocol.md).
// Pure data: the board state keeps one of these objects and replaces it on every event.

// Which kinds participants may add in each phase mirrors boards/domain.py PHASES; the server
// enforces it, the page only greys out what would be refused.
const EXPLORATION = ["event", "hotspot"];
const COMMANDS = [...EXPLORATION, "command", "policy", "actor", "external_system", "read_model"];

export const PHASES = [
  {
    phase: "free", title: "Free modelling", allowed: null,
    instruction: "No rules yet: put anything on the board.",
  },
  {
    phase: "exploration", title: "Chaotic exploration", allowed: EXPLORATION,
    instruction: "Put every domain event you can think of on the board, in past tense. Mark doubts with a hotspot.",
  },
  {
    phase: "timeline", title: "Enforce the timeline", allowed: [...EXPLORATION, "lane"],
    instruction: "Sort the events left to right in the order they happen; remove duplicates and fill the gaps.",
  },
  {
    phase: "commands", title: "Commands and policies", allowed: [...COMMANDS, "lane"],
    instruction: "What causes each event? Add the command, who issues it, the policies, external systems and read models.",
  },
  {
    phase: "aggregates", title: "Aggregates", allowed: [...COMMANDS, "aggregate", "lane"],
    instruction: "Group the commands and events around the aggregates that decide them: draw an aggregate around each group.",
  },
  {
    phase: "contexts", title: "Bounded contexts", allowed: null,
    instruction: "Draw the bounded contexts: where does a word keep one meaning? Name each context.",
  },
];

const byPhase = new Map(PHASES.map((p) => [p.phase, p]));

export function phaseInfo(phase) {
  return byPhase.get(phase) || PHASES[0];
}

export function allowedIn(phase, kind) {
  const allowed = phaseInfo(phase).allowed;
  return allowed === null || allowed.includes(kind);
}

// The first phase (in workshop order) that allows `kind`: "comes in Commands and policies".
export function phaseThatAllows(kind) {
  return PHASES.slice(1).find((p) => p.allowed === null || p.allowed.includes(kind)) || PHASES[0];
}

export function emptyWorkshop() {
  return {
    phase: "free", locked: false, votes_per_person: 5, follow: false, timer: null, votes: {},
    silent: false, anonymous_votes: false,
  };
}

export function workshopFromSnapshot(board) {
  const w = emptyWorkshop();
  for (const key of ["phase", "locked", "votes_per_person", "follow", "timer", "silent", "anonymous_votes"]) {
    if (board[key] !== undefined) w[key] = board[key];
  }
  w.votes = board.votes || {};
  return w;
}

const WORKSHOP_EVENTS = new Set([
  "board.configured", "timer.started", "timer.stopped", "vote.cast", "vote.retracted", "votes.cleared",
  "silent.started", "votes.revealed",
]);

export function isWorkshopEvent(event) {
  return WORKSHOP_EVENTS.has(event);
}

// A new workshop object with the event applied (the old one is never changed).
export function applyWorkshopEvent(w, event, data) {
  switch (event) {
    case "board.configured":
      return { ...w, ...data };
    case "timer.started":
      return { ...w, timer: { seconds: data.seconds, ends_at: data.ends_at } };
    case "timer.stopped":
      return { ...w, timer: null };
    // Someone else's anonymous dot arrives as {hidden: true}: it counts only at the reveal.
    case "vote.cast":
      return data.hidden ? w : { ...w, votes: addVote(w.votes, data.id, data.voter, 1) };
    case "vote.retracted":
      return data.hidden ? w : { ...w, votes: addVote(w.votes, data.id, data.voter, -1) };
    case "votes.revealed":
      return { ...w, anonymous_votes: false, votes: data.votes || {} };
    case "silent.started":
      return { ...w, silent: true };
    case "silent.revealed":
      return { ...w, silent: false };
    case "votes.cleared":
      return { ...w, votes: {} };
    default:
      return w;
  }
}

function addVote(votes, id, voter, step) {
  const voters = { ...(votes[id] || {}) };
  voters[voter] = (voters[voter] || 0) + step;
  if (voters[voter] <= 0) delete voters[voter];
  const next = { ...votes, [id]: voters };
  if (Object.keys(voters).length === 0) delete next[id];
  return next;
}

// Dots on one element: {total, mine}. Dots on deleted stickies do not count (the server
// frees them too).
// While dots are anonymous a page counts only its own (the server sends no others; those
// it saw before are not shown either).
export function dotsOn(w, id, me) {
  const voters = w.votes[id] || {};
  if (w.anonymous_votes) return { total: voters[me] || 0, mine: voters[me] || 0 };
  let total = 0;
  for (const n of Object.values(voters)) total += n;
  return { total, mine: voters[me] || 0 };
}

export function dotsUsed(w, me, exists) {
  let used = 0;
  for (const [id, voters] of Object.entries(w.votes)) if (exists(id)) used += voters[me] || 0;
  return used;
}

// Elements by dots, most first: [{id, total}].
export function ranking(w, exists, me = "") {
  return Object.keys(w.votes)
    .filter(exists)
    .map((id) => ({ id, total: dotsOn(w, id, me).total }))
    .filter((r) => r.total > 0)
    .sort((a, b) => b.total - a.total);
}
