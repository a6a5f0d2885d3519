"""The whole catalog: importing this module registers every fault, one module per kind.

auth        missing or wrong credentials let through
fields      response fields missing, renamed, mistyped or wrongly formatted
status      the wrong status code
state       the right answer, the wrong stored state
validation  requests the documentation rules out accepted (or valid ones refused)
isolation   an image reachable through another model's path
http        crashes on odd input, malformed JSON, content types, methods
"""

import ticonf.faults.flaky  # an intermittent fault (issue 16's replay)
import ticonf.faults.oracle  # noqa: F401 - issue 14's faults, found by its oracle checks
from ticonf.faults import auth, fields, http, isolation, state, status, validation

KINDS = {
    module.__name__.rsplit(".", 1)[1]: module
    for module in (auth, fields, status, state, validation, isolation, http)
}
