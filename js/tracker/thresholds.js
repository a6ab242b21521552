// Detection thresholds from the npm options (rageClicks, quickExitMs...): named after
// TrackerConfig's members, in their order, number fields from NUM_CONFIG on. The script tag has no
// attributes for them (docs/configuration.md), so only the npm entry (index.js) passes this to
// createTracker, and the script-tag bundle carries none of the names.
import { NUM_CONFIG, TRACKER_CONFIG_NAMES } from 'thermograph-constants';

export const setThresholds = (o, setNumber) =>
  TRACKER_CONFIG_NAMES.forEach((name, i) => o[name] != null && setNumber(NUM_CONFIG + i, +o[name]));
