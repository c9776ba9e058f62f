/**
 * Services: application-level indicators read from the lake (requests per second, errors,
 * latency percentiles, Apdex, availability, SLO burn rates, cache and database figures), and
 * concurrency capacity by Gunther's Universal Scalability Law.
 *
 * @module
 */

export { fitUsl, type UslFit, type UslFitOptions, uslThroughput } from "./usl_fit.ts";
