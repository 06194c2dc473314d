/**
 * cwmp-agent composition root: parse the command line, load the configuration,
 * pick the platform and run the agent.
 *
 * @module
 */

if (import.meta.main) {
  console.log("cwmp-agent 0.1.0");
}
