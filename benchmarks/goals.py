"""The goals of issue #8 and the Node.js reference figures, in one place for the report and the findings."""

#: median warm queryRecord through the handler / median bare GET of the same URL, same process
OVERHEAD_GOAL = 1.10
#: import + first invocation with a cached token, median of fresh processes
COLD_START_GOAL_MS = 220.0
#: tokens minted when 20 warm containers meet a revoked token one after another
STORM_GOAL_MINTS = 2
#: Salesforce's Node.js function, measured on the reference machine: module load and first call
NODE_LOAD_MS = 235.0
NODE_FIRST_CALL_MS = 62.0
