// The smallest PostHog build that still makes heatmaps: the slim core plus the bundle PostHog
// groups heatmaps in (autocapture, heatmaps, dead clicks, web vitals, history). esbuild cannot
// shake single extensions out of that object, so this is what a size-conscious user ships.
import posthog from 'posthog-js/dist/module.slim.js';
import { AnalyticsExtensions } from 'posthog-js/dist/extension-bundles.js';

window.posthog = posthog;
window.posthogExtensions = AnalyticsExtensions;
