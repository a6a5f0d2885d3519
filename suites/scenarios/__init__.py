"""Hand-written scenario suites: state, semantics and prose rules, one requirement at a time.

A package, so that its modules never collide with the schema half's and its helpers are
imported relatively.
"""
