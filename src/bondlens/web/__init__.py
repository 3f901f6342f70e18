"""The local web app (`bondlens serve`): safety screen, upload, analysis with its evidence, help; quick exit.

It listens on 127.0.0.1 only unless told otherwise, answers only Host headers that name it, protects every
form with a CSRF token, sends ``Cache-Control: no-store`` and a Content-Security-Policy that allows nothing
from any other origin, sets one session cookie, and keeps uploads in memory only. Needs the ``web`` extra
(FastAPI, uvicorn, python-multipart).
"""

from bondlens.web.app import create_app
from bondlens.web.config import WebConfig
from bondlens.web.server import bind, serve

__all__ = ["WebConfig", "bind", "create_app", "serve"]
