"""The "Your cases" pages: the encrypted vault from the browser (create, unlock, list, open, keep, delete, lock).

Every POST needs the session's CSRF token (the router's :func:`~bondlens.web.security.check_csrf`). Addresses name
cases only by random tokens of the session (:meth:`~bondlens.web.vaults.VaultHolder.token`); labels, names and
dates appear in pages only. Passphrases are read from the form, handed to the vault, and dropped: never put in a
message, a page, an address or a log.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from bondlens.vault import (
    MIN_PASSPHRASE_CHARS,
    CaseNotFoundError,
    CaseSummary,
    Vault,
    VaultDamagedError,
    VaultError,
    VaultLockedError,
    WrongPassphraseError,
)
from bondlens.web.jobs import restore
from bondlens.web.pages import render, state
from bondlens.web.routes import MAX_CASES, ReadSession
from bondlens.web.security import check_csrf, redirect
from bondlens.web.sessions import Case, Session, new_id
from bondlens.web.throttle import UnlockWaitError, wait_text
from bondlens.web.vaults import VaultHolder

router = APIRouter(dependencies=[Depends(check_csrf)])

WRONG_PASSPHRASE = "That passphrase does not open your cases. Check for a typing mistake or Caps Lock, and try again."
CANNOT_READ = (
    "Your cases could not be opened: the vault file is damaged, or was made by another version of bondlens. "
    "Nothing was changed."
)
LOCKED = "Your cases were locked (after a while without use, or by hand). Unlock them to go on."
TOO_SOON = "Your passphrase was not tried: the wait after the wrong ones is not over yet."
WAIT_WHY = (
    "After several wrong passphrases bondlens waits a little longer before each new try, so that nobody can open "
    "your cases by guessing."
)
MAX_PASSPHRASE_CHARS = 1024


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One case as the list shows it."""

    token: str
    label: str
    kept: str  # when it was kept
    chat_from: str
    chat_to: str
    messages: int


def _day(value: datetime | str | None) -> str:
    if value is None:
        return "?"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is not None and isinstance(value, datetime):
        moment = moment.astimezone()  # when it was kept: the person's own time
    return f"{moment.day} {moment:%b %Y}"


def _row(session: Session, summary: CaseSummary) -> CaseRow:
    return CaseRow(
        token=VaultHolder.token(session, summary.id),
        label=summary.label,
        kept=_day(summary.created),
        chat_from=_day(summary.first_message),
        chat_to=_day(summary.last_message),
        messages=summary.messages,
    )


def _holder(request: Request) -> VaultHolder:
    return state(request).vault


def _then(session: Session, value: object) -> str:
    """Where to go after unlocking: back to a case of this session (``then`` names it), or the list."""
    if isinstance(value, str) and value in session.cases:
        return f"/case/{value}#keep-case"
    return "/cases"


def _back(request: Request, session: Session, message: str, then: object = None) -> Response:
    suffix = f"&then={then}" if isinstance(then, str) and then in session.cases else ""
    return redirect(request.scope, f"/cases?error={session.add_error(message)}{suffix}")


def _passphrase(value: object) -> str:
    return value if isinstance(value, str) and len(value) <= MAX_PASSPHRASE_CHARS else ""


def _unlocked(request: Request, session: Session) -> Vault:
    try:
        return _holder(request).vault(session)
    except VaultLockedError:
        raise HTTPException(status_code=303, headers={"location": "/cases"}) from None


def _vault_case(session: Session, token: str) -> int:
    case_id = VaultHolder.case_id(session, token)
    if case_id is None:
        raise HTTPException(status_code=404, detail="That case is not in your cases (any more).")
    return case_id


# -- the list, and the forms to create or unlock ------------------------------------------------------------------


@router.get("/cases")
def cases_page(request: Request, session: ReadSession) -> Response:
    holder = _holder(request)
    holder.drop_locked(session)
    status = holder.status(session)
    params = request.query_params
    error = session.errors.get(params.get("error") or "")
    notice = session.errors.get(params.get("notice") or "")
    then = params.get("then")
    rows: list[CaseRow] = []
    if status == "unlocked":
        try:
            rows = [_row(session, summary) for summary in holder.vault(session).cases()]
        except VaultLockedError:
            status = "locked"
        except VaultError:
            error = CANNOT_READ
    if status == "locked" and error is None and session.vault_tokens:
        error = LOCKED  # it was unlocked in this session before
    wait = holder.throttle.remaining() if status == "locked" else 0.0
    return render(
        request,
        "cases.html",
        status=status,
        cases=rows,
        error=error,
        notice=notice,
        then=then if then in session.cases else None,
        min_chars=MIN_PASSPHRASE_CHARS,
        wait_seconds=math.ceil(wait) if wait > 0 else 0,
        wait_text=wait_text(wait) if wait > 0 else "",
        wait_why=WAIT_WHY,
        status_code=200 if error is None or error == LOCKED else 400,
    )


@router.post("/cases/create")
async def create_vault(request: Request, session: ReadSession) -> Response:
    form = await request.form(max_files=0, max_fields=10)
    first, second = _passphrase(form.get("passphrase")), _passphrase(form.get("passphrase2"))
    then = form.get("then")
    if len(first) < MIN_PASSPHRASE_CHARS:
        return _back(request, session, f"The passphrase needs at least {MIN_PASSPHRASE_CHARS} characters.", then)
    if first != second:
        return _back(request, session, "The two passphrases are not the same. Nothing was created.", then)
    try:
        await run_in_threadpool(_holder(request).create, session, first)
    except VaultError:
        return _back(request, session, "Your cases could not be created here (a vault exists already, or the "
                     "folder cannot be written). Nothing was changed.", then)  # fmt: skip
    return redirect(request.scope, _then(session, then))


@router.post("/cases/unlock")
async def unlock_vault(request: Request, session: ReadSession) -> Response:
    form = await request.form(max_files=0, max_fields=10)
    passphrase = _passphrase(form.get("passphrase"))
    then = form.get("then")
    if not passphrase:
        return _back(request, session, "Type your passphrase first.", then)
    try:
        await run_in_threadpool(_holder(request).unlock, session, passphrase)
    except UnlockWaitError:
        return _back(request, session, TOO_SOON, then)  # the page says how long is left
    except WrongPassphraseError:
        return _back(request, session, WRONG_PASSPHRASE, then)
    except VaultError:
        return _back(request, session, CANNOT_READ, then)
    return redirect(request.scope, _then(session, then))


@router.post("/cases/lock")
def lock_vault(request: Request, session: ReadSession) -> Response:
    holder = _holder(request)
    holder.lock()
    holder.drop_locked(session)
    return redirect(request.scope, "/cases")


# -- one case -------------------------------------------------------------------------------------------------------


@router.post("/cases/open")
async def open_case(request: Request, session: ReadSession) -> Response:
    """Open a case: read it from the vault into this session's memory and show its analysis (no re-upload)."""
    form = await request.form(max_files=0, max_fields=10)
    token = form.get("case")
    case_id = _vault_case(session, token if isinstance(token, str) else "")
    open_here = next((c for c in session.cases.values() if c.vault_id == case_id), None)
    if open_here is not None:
        return redirect(request.scope, f"/case/{open_here.id}")
    if len(session.cases) >= MAX_CASES:
        return _back(request, session, f"You have {MAX_CASES} chats open here; close one first (Your chats).")
    vault = _unlocked(request, session)

    def load() -> Case:
        summary = vault.case(case_id)
        conversation = vault.conversation(case_id)
        case = Case(
            id=new_id(12),
            filename=summary.label,
            conversation=conversation,
            uploaded=datetime.now(),
            vault_id=case_id,
            label=summary.label,
        )
        if summary.me is not None:
            restore(case, summary.me, vault.findings(case_id))
        return case

    try:
        case = await run_in_threadpool(load)
    except VaultLockedError:
        return redirect(request.scope, "/cases")
    except CaseNotFoundError:
        return _back(request, session, "That case is not in your cases any more.")
    except VaultDamagedError:
        return _back(request, session, "That case could not be read: the vault file is damaged or was altered.")
    session.cases[case.id] = case
    return redirect(request.scope, f"/case/{case.id}" if case.me is not None else f"/case/{case.id}/me")


@router.get("/cases/{token}/delete")
def confirm_delete(request: Request, session: ReadSession, token: str) -> Response:
    vault = _unlocked(request, session)
    try:
        row = _row(session, vault.case(_vault_case(session, token)))
    except CaseNotFoundError:
        raise HTTPException(status_code=404, detail="That case is not in your cases (any more).") from None
    except VaultLockedError:
        return redirect(request.scope, "/cases")
    return render(request, "case_delete.html", case=row)


@router.post("/cases/{token}/delete")
async def delete_vault_case(request: Request, session: ReadSession, token: str) -> Response:
    """Delete the case from the vault for good (and from this session's memory)."""
    case_id = _vault_case(session, token)
    vault = _unlocked(request, session)
    wiped = True
    try:
        wiped = await run_in_threadpool(vault.delete_case, case_id)
    except VaultLockedError:
        return redirect(request.scope, "/cases")
    except CaseNotFoundError:
        pass  # gone already: what the person wanted
    for case in [c for c in session.cases.values() if c.vault_id == case_id]:
        session.cases.pop(case.id, None)
    session.vault_tokens.pop(case_id, None)
    session.selfcheck_kept.discard(case_id)
    key = session.add_error(
        "The case was deleted for good."
        if wiped
        else "The case was deleted. Another program (bondlens in a terminal?) has your cases open, so its encrypted "
        "pages leave the vault's journal file only when that program closes it."
    )
    return redirect(request.scope, f"/cases?notice={key}")


@router.post("/case/{case_id}/keep")
async def keep_case(request: Request, session: ReadSession, case_id: str) -> Response:
    """Keep an analysed chat in the vault, under a label the person chooses."""
    case = session.cases.get(case_id)
    if case is None or case.analysis is None or case.me is None:
        raise HTTPException(status_code=404, detail="This chat is not here, or its analysis is not ready yet.")
    form = await request.form(max_files=0, max_fields=10)
    label = form.get("label")
    try:
        vault = _holder(request).vault(session)
    except VaultLockedError:
        return redirect(request.scope, f"/cases?then={case.id}")
    if case.vault_id is not None:
        return redirect(request.scope, f"/case/{case.id}#keep-case")
    analysis, me, findings = case.analysis, case.me, list(case.findings)
    text = label.strip() if isinstance(label, str) else ""
    try:
        stored = await run_in_threadpool(
            lambda: vault.add_case(
                text or default_label(vault), case.conversation, me=me, findings=findings, analysis=analysis
            )
        )
    except VaultLockedError:
        return redirect(request.scope, f"/cases?then={case.id}")
    except VaultError as exc:  # a label too long or with control characters: the vault's words (no path in them)
        said = str(exc)
        message = f"{said[:1].upper()}{said[1:]}." if "label" in said else "The case could not be written to the vault."
        key = session.add_error(message)
        return redirect(request.scope, f"/case/{case.id}?error={key}#keep-case")
    case.vault_id, case.label = stored, vault.case(stored).label
    return redirect(request.scope, f"/case/{case.id}#keep-case")


def default_label(vault: Vault) -> str:
    """A neutral label: "notes N", with the first N not used yet."""
    used = {c.label for c in vault.cases()}
    number = len(used) + 1
    while f"notes {number}" in used:
        number += 1
    return f"notes {number}"
