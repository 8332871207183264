"""Analysis: the figures the course shows, computed from definitions and histories, never typed in.

One concept per module:

- :mod:`.coupling`: commands and events per service (fan-in, fan-out), who depends on
  whom, and the components touched to add a service.
- :mod:`.decisions`: the business decisions (branches, rules, calculations) in an
  orchestrator's saga definitions and in each service's handlers: the God-service count.
- :mod:`.performance`: latency per order, percentiles, hops (through the orchestrator),
  load per participant, and throughput per virtual second.
"""
from .coupling import (Change, CouplingReport, ServiceFigures, changes, components_touched,
                       contracts, coupling_report, saga_wiring)
from .decisions import Decision, DecisionReport, decisions, decisions_by_component
from .performance import (hops, hops_per_order, latencies, load_per_order, per_second,
                          percentile, summary, throughput)

__all__ = [
    "Change", "CouplingReport", "ServiceFigures", "changes", "components_touched", "contracts",
    "coupling_report", "saga_wiring",
    "Decision", "DecisionReport", "decisions", "decisions_by_component",
    "hops", "hops_per_order", "latencies", "load_per_order", "per_second", "percentile",
    "summary", "throughput",
]
