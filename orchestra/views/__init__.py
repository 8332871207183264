"""Views: pictures drawn from the history, never from hidden state.

- :func:`saga_view`: an instance on its saga's state machine (path taken, failures, undo).
- :func:`topology_view`: who sent what to whom (a star around an orchestrator, or a mesh).
- :func:`timeline_view`: a sequence diagram of one instance, in virtual time.

Each takes ``until`` (a history sequence number) to show an earlier moment: time travel.
"""
from .saga import saga_status, saga_view
from .timeline import Timeline, timeline_view
from .topology import topology_edges, topology_view

__all__ = ["Timeline", "saga_status", "saga_view", "timeline_view", "topology_edges",
           "topology_view"]
