// Where a run is in its schedule, to tag requests by phase (spike) or by the arrival rate planned at that moment
// (stress): the summary then shows latency per phase or per rate band, which is where a breaking point shows.
import exec from "k6/execution";

/** Seconds since the current scenario started. */
export function elapsedSeconds() {
  return (Date.now() - exec.scenario.startTime) / 1000;
}

/** The target a linear `stages` schedule ({seconds, target}) has reached at `t` seconds, from `start`. */
export function targetAt(stages, start, t) {
  let from = start;
  let at = 0;
  for (const stage of stages) {
    if (t <= at + stage.seconds) return from + ((stage.target - from) * (t - at)) / stage.seconds;
    at += stage.seconds;
    from = stage.target;
  }
  return from;
}

/** Sets a tag on every later metric of this VU (until set again). */
export function tagVu(name, value) {
  exec.vu.tags[name] = value;
}
