"""Publishing to a shared triple store: the Graph Store Protocol client (``client``), the
credentials and their redaction (``auth``), the sockets and the whole-request deadline
(``wire``), and what to send, check and report (``publish``).

May import: errors, rdf, project.
"""
