/**
 * Value-change notifications (TR-069 §3.2.1, A.3.3.1; CWMP-FACTS §2, §4.1, §5.1): which
 * parameters to watch, change detection against baselines, the queue of changes until
 * an Inform with `4 VALUE CHANGE` delivers them, the active-notification throttle, and
 * the Inform ParameterList. No clock, no I/O: values come through the tree.
 *
 * @module
 */

export * from "./value_change_detector.ts";
export * from "./notification_queue.ts";
export * from "./notified_parameters.ts";
export * from "./throttle.ts";
export * from "./inform_list.ts";
export * from "./inform_parameters.ts";
