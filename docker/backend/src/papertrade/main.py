"""The ASGI application uvicorn serves: ``uvicorn papertrade.main:app``.

Built from the environment's settings at import; a bad setting stops the process with one
line instead of a traceback through uvicorn's importer.
"""

from papertrade.app import create_app
from papertrade.settings import SettingsError

try:
    app = create_app()
except SettingsError as error:
    raise SystemExit(f"papertrade: {error}") from None
