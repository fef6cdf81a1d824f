"""Publishing to a shared triple store: the Graph Store Protocol client
(``client``) and what to send, check and report (``publish``).

May import: errors, rdf, project.
"""
