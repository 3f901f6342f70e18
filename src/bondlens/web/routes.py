"""The pages: safety screen -> upload -> who is "me" -> progress -> analysis; resources; forget everything.

Every route depends on :func:`~bondlens.web.security.check_csrf`, so no POST is accepted without the session's
token. Every page except the safety screen needs the safety screen to have been read first. After a POST the
answer is a redirect (or, for app.js, the address to open with location.replace()), never a page, so Back
never re-sends a form.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.responses import JSONResponse, RedirectResponse, Response

from bondlens.analysis.schema import dumps
from bondlens.errors import BondlensError
from bondlens.importers import ImportOptions, importers
from bondlens.plan import load_resources, load_steps, parse_answers
from bondlens.selfcheck import alerts as selfcheck_alerts
from bondlens.selfcheck import questionnaire, score
from bondlens.selfcheck.scoring import band as band_of
from bondlens.vault import VaultError, VaultLockedError
from bondlens.web.exports import Download, plan_download, report_download
from bondlens.web.jobs import PrivateUpload, page_message, read_upload, safe_filename, svg_description
from bondlens.web.pages import render, state
from bondlens.web.security import (
    IMAGE_CONTENT_SECURITY_POLICY,
    TOO_LARGE_ERROR,
    check_csrf,
    current_session,
    redirect,
    session_cookie,
)
from bondlens.web.sessions import Case, Session, new_id
from bondlens.web.vaults import PLAN_NAME
from bondlens.web.views import MONITORING_WARNING, analysis_view, day, help_data

router = APIRouter(dependencies=[Depends(check_csrf)])
SessionDep = Annotated[Session, Depends(current_session)]
MAX_CASES = 10
CHUNK = 1024 * 1024
DATE_ORDERS = {"auto": None, "dayfirst": True, "monthfirst": False}
MAX_NOTES_CHARS = 5000


def require_safety(session: SessionDep) -> Session:
    if not session.safety_read:
        raise HTTPException(status_code=303, headers={"location": "/"})
    return session


ReadSession = Annotated[Session, Depends(require_safety)]


def _case(request: Request, session: Session, case_id: str) -> Case:
    case = session.cases.get(case_id)
    if case is not None and not state(request).vault.keep_in_memory(session, case):
        raise HTTPException(status_code=303, headers={"location": "/cases"})  # the vault locked: unlock it again
    if case is None:
        raise HTTPException(
            status_code=404,
            detail="This chat is no longer here. bondlens keeps uploads only in memory, and forgets them when it "
            "stops, when you press Forget everything, or after two hours unused. A case from Your cases is closed "
            "when they are locked: unlock them and open it again.",
        )
    return case


def _kept_case(request: Request, session: Session, value: object) -> Case:
    """The open case of the vault that a self-check or plan form names; to "Your cases" when the vault is locked."""
    holder = state(request).vault
    if holder.status(session) != "unlocked":
        raise HTTPException(status_code=303, headers={"location": "/cases"})
    case = next((c for c in holder.open_cases(session) if c.id == value), None)
    if case is None:
        raise HTTPException(status_code=404, detail="That case is not open any more: open it again from Your cases.")
    return case


def _taken_on(value: str) -> str:
    try:
        return day(datetime.combine(date.fromisoformat(value), datetime.min.time()))
    except ValueError:
        return value


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


# -- safety screen ------------------------------------------------------------------------------------------------


@router.get("/")
def safety(request: Request, session: SessionDep) -> Response:
    return render(request, "safety.html", warning=MONITORING_WARNING, help=help_data())


@router.post("/safety")
def safety_read(request: Request, session: SessionDep) -> Response:
    session.safety_read = True
    return redirect(request.scope, "/upload")


# -- upload -------------------------------------------------------------------------------------------------------


@router.get("/upload")
def upload_page(request: Request, session: ReadSession, error: str | None = None) -> Response:
    limit = state(request).config.max_bytes
    message = None
    if error == TOO_LARGE_ERROR:
        message = f"The file is larger than the {_size(limit)} limit. Export a shorter period, or start bondlens " + (
            "with a larger limit: bondlens serve --max-size 1GB"
        )
    elif error is not None:
        message = session.errors.get(error)
    state(request).vault.drop_locked(session)
    cases = sorted(session.cases.values(), key=lambda c: c.uploaded, reverse=True)
    return render(
        request,
        "upload.html",
        error=message,
        cases=cases,
        limit=limit,
        limit_text=_size(limit),
        formats=list(importers().values()),
        status_code=200 if message is None else 400,
    )


@router.post("/upload")
async def upload(request: Request, session: ReadSession) -> Response:
    config = state(request).config
    form = await request.form(max_files=1, max_fields=20)

    def fail(message: str) -> Response:
        return redirect(request.scope, f"/upload?error={session.add_error(message)}")

    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return fail("Choose the exported chat file first.")
    if len(session.cases) >= MAX_CASES:
        return fail(f"You have {MAX_CASES} chats open here; delete one before adding another.")
    names = {i.name for i in importers().values()}
    fmt = str(form.get("format") or "auto")
    order = str(form.get("dates") or "auto")
    chat = str(form.get("chat") or "").strip() or None
    if (fmt != "auto" and fmt not in names) or order not in DATE_ORDERS:
        return fail("The form was changed in a way bondlens does not understand; reload the page.")
    filename = safe_filename(file.filename)
    options = ImportOptions(dayfirst=DATE_ORDERS[order], chat=chat, max_bytes=config.max_bytes)
    try:
        with PrivateUpload(filename) as held:
            fd = os.open(held.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                while chunk := await file.read(CHUNK):
                    out.write(chunk)
            try:
                conversation = await run_in_threadpool(read_upload, held.path, filename, options, fmt)
            except BondlensError as exc:
                return fail(page_message(exc, held.path, filename))
    finally:
        await file.close()
    if not conversation.user_messages():
        return fail(f"{filename}: bondlens found no messages written by people in this file.")
    case = Case(id=new_id(12), filename=filename, conversation=conversation, uploaded=datetime.now())
    session.cases[case.id] = case
    return redirect(request.scope, f"/case/{case.id}/me")


# -- who is me ----------------------------------------------------------------------------------------------------


@router.get("/case/{case_id}/me")
def choose_me(request: Request, session: ReadSession, case_id: str) -> Response:
    case = _case(request, session, case_id)
    counts = case.conversation.message_counts()
    people = [(p, counts.get(p.id, 0)) for p in case.conversation.participants]
    error = request.query_params.get("error")
    return render(request, "me.html", case=case, people=people, error=session.errors.get(error or ""))


@router.post("/case/{case_id}/me")
async def chose_me(request: Request, session: ReadSession, case_id: str) -> Response:
    case = _case(request, session, case_id)
    form = await request.form(max_files=0, max_fields=10)
    me = form.get("me")
    if not isinstance(me, str) or me not in {p.id for p in case.conversation.participants}:
        key = session.add_error("Choose which of the people is you.")
        return redirect(request.scope, f"/case/{case.id}/me?error={key}")
    case.vault_id, case.label = None, None  # read again as someone else: a new case, no longer the one kept
    state(request).analyser.start(case, me)
    return redirect(request.scope, f"/case/{case.id}")


# -- progress and analysis ----------------------------------------------------------------------------------------


@router.get("/case/{case_id}")
def case_page(request: Request, session: ReadSession, case_id: str) -> Response:
    case = _case(request, session, case_id)
    if case.me is None or case.progress is None:
        return RedirectResponse(f"/case/{case.id}/me", status_code=303)
    if case.analysis is None:
        return render(request, "progress.html", case=case, progress=case.progress)
    kept = state(request).vault.kept_with(session, case)
    return render(
        request,
        "analysis.html",
        case=case,
        view=analysis_view(case.analysis),
        charts={name: svg_description(svg) for name, svg in case.charts.items()},
        help=help_data(),
        selfcheck=session.selfcheck,
        vault_status=state(request).vault.status(session),
        keep_error=session.errors.get(request.query_params.get("error") or ""),
        kept_selfchecks=[] if kept is None else [(_taken_on(r.taken_on), r.band_name) for r in kept.selfchecks],
        kept_plan_on=None if kept is None or kept.plan is None else day(kept.plan.created.astimezone()),
    )


@router.get("/case/{case_id}/chart/{name}.svg")
def case_chart(request: Request, session: ReadSession, case_id: str, name: str) -> Response:
    svg = _case(request, session, case_id).charts.get(name)
    if svg is None:
        raise HTTPException(status_code=404, detail="No such chart.")
    return Response(svg, media_type="image/svg+xml", headers={"content-security-policy": IMAGE_CONTENT_SECURITY_POLICY})


@router.get("/case/{case_id}/status")
def case_status(request: Request, session: ReadSession, case_id: str) -> Response:
    case = _case(request, session, case_id)
    progress = case.progress
    if progress is None:
        return JSONResponse({"state": "none", "next": f"/case/{case.id}/me"})
    return JSONResponse(
        {
            "state": "done" if case.analysis is not None else progress.state,
            "percent": round(100 * progress.fraction()),
            "stage": progress.stage,
            "step": progress.step,
            "steps": progress.steps,
            "error": progress.error,
            "next": f"/case/{case.id}",
        }
    )


@router.get("/case/{case_id}/analysis.json")
def case_json(request: Request, session: ReadSession, case_id: str) -> Response:
    case = _case(request, session, case_id)
    if case.analysis is None:
        raise HTTPException(status_code=404, detail="The analysis of this chat is not ready yet.")
    return Response(
        dumps(case.analysis),
        media_type="application/json",
        headers={"content-disposition": 'attachment; filename="notes.json"'},
    )


def _attachment(download: Download) -> Response:
    return Response(
        download.content,
        media_type=download.media_type,
        headers={"content-disposition": f'attachment; filename="{download.filename}"'},
    )


@router.get("/case/{case_id}/export")
async def case_export(request: Request, session: ReadSession, case_id: str, kind: str = "html") -> Response:
    """The report (HTML or PDF) or its evidence (JSON); the self-check is added only when the person ticks it."""
    case = _case(request, session, case_id)
    if case.analysis is None:
        raise HTTPException(status_code=404, detail="The analysis of this chat is not ready yet.")
    if kind not in ("html", "pdf", "evidence"):
        raise HTTPException(status_code=404, detail="No such download.")
    with_selfcheck = request.query_params.get("selfcheck") == "1" and session.selfcheck is not None
    download = await run_in_threadpool(report_download, case, kind, session.selfcheck if with_selfcheck else None)
    return _attachment(download)


@router.post("/case/{case_id}/delete")
def delete_case(request: Request, session: ReadSession, case_id: str) -> Response:
    """Forget the chat here (a case kept in the vault stays there: it is deleted from "Your cases")."""
    session.cases.pop(case_id, None)
    return redirect(request.scope, "/upload")


# -- self-check ---------------------------------------------------------------------------------------------------


@router.get("/selfcheck")
def selfcheck_page(request: Request, session: ReadSession) -> Response:
    error = session.errors.get(request.query_params.get("error") or "")
    return render(request, "selfcheck.html", q=questionnaire(), answers=session.selfcheck_answers, error=error)


@router.post("/selfcheck")
async def selfcheck_answer(request: Request, session: ReadSession) -> Response:
    q = questionnaire()
    form = await request.form(max_files=0, max_fields=len(q.items) + 10)
    answers: dict[str, int | None] = {}
    for item in q.items:
        raw = form.get(item.id)
        answers[item.id] = int(raw) if isinstance(raw, str) and raw.isdigit() else None
    try:
        result = score(answers, q=q)
    except BondlensError as exc:
        return redirect(request.scope, f"/selfcheck?error={session.add_error(str(exc))}")
    session.selfcheck_answers, session.selfcheck, session.selfcheck_kept = answers, result, set()
    return redirect(request.scope, "/selfcheck/result")


@router.get("/selfcheck/result")
def selfcheck_result(request: Request, session: ReadSession) -> Response:
    result = session.selfcheck
    if result is None:
        return RedirectResponse("/selfcheck", status_code=303)
    q = questionnaire()
    holder = state(request).vault
    holder.drop_locked(session)
    open_cases = holder.open_cases(session)
    params = request.query_params
    return render(
        request,
        "selfcheck_result.html",
        result=result,
        band=band_of(result, q),
        alerts=selfcheck_alerts(result, q),
        q=q,
        help=help_data(),
        stored=None,
        keep_cases=[c for c in open_cases if c.vault_id not in session.selfcheck_kept],
        kept_with=[c.name for c in open_cases if c.vault_id in session.selfcheck_kept],
        vault_status=holder.status(session),
        notice=session.errors.get(params.get("notice") or ""),
        error=session.errors.get(params.get("error") or ""),
    )


@router.post("/selfcheck/keep")
async def selfcheck_keep(request: Request, session: ReadSession) -> Response:
    """Keep the self-check result with an open case of the vault (only when the person asks: never by default)."""
    form = await request.form(max_files=0, max_fields=10)
    result = session.selfcheck
    if result is None:
        return redirect(request.scope, "/selfcheck")
    case = _kept_case(request, session, form.get("case"))
    vault_id = case.vault_id
    assert vault_id is not None
    if vault_id not in session.selfcheck_kept:  # a second press keeps it once
        try:
            vault = state(request).vault.vault(session)
            await run_in_threadpool(vault.add_selfcheck, vault_id, result)
        except VaultLockedError:
            return redirect(request.scope, "/cases")
        except VaultError:
            key = session.add_error("Your self-check could not be kept with that case: the vault was not written.")
            return redirect(request.scope, f"/selfcheck/result?error={key}")
        session.selfcheck_kept.add(vault_id)
    key = session.add_error(f'Your self-check is kept with "{case.name}", encrypted in your cases.')
    return redirect(request.scope, f"/selfcheck/result?notice={key}")


@router.get("/case/{case_id}/selfcheck/{number}")
def kept_selfcheck(request: Request, session: ReadSession, case_id: str, number: int) -> Response:
    """A self-check result kept with a case of the vault (the ``number``-th, oldest first), to read again."""
    case = _case(request, session, case_id)
    kept = state(request).vault.kept_with(session, case)
    if kept is None or not 1 <= number <= len(kept.selfchecks):
        raise HTTPException(status_code=404, detail="No such self-check is kept with this case.")
    result = kept.selfchecks[number - 1]
    q = questionnaire()
    return render(
        request,
        "selfcheck_result.html",
        result=result,
        band=band_of(result, q),
        alerts=selfcheck_alerts(result, q),
        q=q,
        help=help_data(),
        stored=case,
        taken_on=_taken_on(result.taken_on),
        keep_cases=[],
        kept_with=[],
        vault_status="unlocked",
        notice=None,
        error=None,
    )


@router.post("/selfcheck/clear")
def selfcheck_clear(request: Request, session: ReadSession) -> Response:
    session.selfcheck_answers, session.selfcheck, session.selfcheck_kept = {}, None, set()
    return redirect(request.scope, "/selfcheck")


# -- plan -----------------------------------------------------------------------------------------------------------


@router.get("/plan")
def plan_page(request: Request, session: ReadSession) -> Response:
    resources_data = load_resources()
    error = session.errors.get(request.query_params.get("error") or "")
    holder = state(request).vault
    holder.drop_locked(session)
    return render(
        request,
        "plan.html",
        steps=load_steps(),
        notes=session.plan_notes,
        countries=resources_data.countries,
        country=resources_data.country(session.plan_country).code,
        saved=request.query_params.get("saved") == "1",
        error=error,
        notice=session.errors.get(request.query_params.get("notice") or ""),
        max_notes=MAX_NOTES_CHARS,
        keep_cases=holder.open_cases(session),
    )


@router.post("/plan")
async def plan_save(request: Request, session: ReadSession) -> Response:
    """Keep the notes in memory for this session; with action=html or pdf, also hand the plan over as a file."""
    steps = load_steps()
    form = await request.form(max_files=0, max_fields=len(steps) + 10)
    notes: dict[str, tuple[str, ...]] = {}
    for step in steps:
        raw = form.get(f"notes.{step.id}")
        text = raw if isinstance(raw, str) else ""
        if len(text) > MAX_NOTES_CHARS:
            key = session.add_error(f'The notes for "{step.title}" are longer than {MAX_NOTES_CHARS} characters.')
            return redirect(request.scope, f"/plan?error={key}")
        lines = tuple(line.strip() for line in text.splitlines() if line.strip())
        if lines:
            notes[step.id] = lines
    country = str(form.get("country") or "")
    try:
        code = load_resources().country(country or None).code
    except BondlensError as exc:
        return redirect(request.scope, f"/plan?error={session.add_error(str(exc))}")
    session.plan_notes, session.plan_country = notes, code
    action = form.get("action")
    if action in ("html", "pdf"):
        return _attachment(await run_in_threadpool(plan_download, notes, code, str(action)))
    if action == "vault":
        return await _keep_plan(request, session, form.get("case"), notes)
    return redirect(request.scope, "/plan?saved=1")


async def _keep_plan(request: Request, session: Session, which: object, notes: dict[str, tuple[str, ...]]) -> Response:
    """Keep the notes with an open case of the vault (as a `bondlens plan --answers` file: step id -> notes),
    replacing the notes kept with it before."""
    case = _kept_case(request, session, which)
    vault_id = case.vault_id
    assert vault_id is not None
    if not notes:
        key = session.add_error("There are no notes to keep yet: write some first. Nothing was changed.")
        return redirect(request.scope, f"/plan?error={key}#keep-plan")
    content = {step: list(lines) for step, lines in notes.items()}
    try:
        vault = state(request).vault.vault(session)
        await run_in_threadpool(lambda: vault.save_plan(vault_id, content, name=PLAN_NAME))
    except VaultLockedError:
        return redirect(request.scope, "/cases")
    except VaultError:
        key = session.add_error("Your notes could not be kept with that case: the vault was not written.")
        return redirect(request.scope, f"/plan?error={key}#keep-plan")
    key = session.add_error(
        f'Your notes are kept with "{case.name}", encrypted in your cases, in place of any notes kept with it before.'
    )
    return redirect(request.scope, f"/plan?notice={key}")


@router.post("/case/{case_id}/plan/load")
def load_kept_plan(request: Request, session: ReadSession, case_id: str) -> Response:
    """Put the notes kept with a case of the vault on the plan page (in memory, replacing the notes there)."""
    case = _case(request, session, case_id)
    kept = state(request).vault.kept_with(session, case)
    if kept is None or kept.plan is None:
        raise HTTPException(status_code=404, detail="No plan is kept with this case.")
    try:
        notes = parse_answers(json.loads(kept.plan.content), "the notes kept with this case")
    except (ValueError, BondlensError):
        key = session.add_error("The notes kept with this case could not be read into the plan page.")
        return redirect(request.scope, f"/case/{case.id}?error={key}#keep-case")
    session.plan_notes = dict(notes)
    key = session.add_error(
        f'The notes kept with "{case.name}" are on this page now, in place of the notes that were here.'
    )
    return redirect(request.scope, f"/plan?notice={key}")


# -- help and leaving ---------------------------------------------------------------------------------------------


@router.get("/resources")
def resources(request: Request, session: ReadSession, country: str | None = None) -> Response:
    data = load_resources()
    try:
        chosen = data.country(country or session.plan_country)
    except BondlensError:
        chosen = data.country(None)
    used = {c.checked_how.key for c in (*chosen.emergency, *chosen.hotlines)}
    return render(
        request,
        "resources.html",
        countries=data.countries,
        country=chosen,
        methods=[m for m in data.methods if m.key in used],
    )


@router.post("/forget")
def forget(request: Request, session: SessionDep) -> Response:
    """Drop this session and everything in it (and lock the vault), and tell the browser to drop its cookie and
    cache."""
    state(request).vault.lock()
    state(request).store.forget(session.id)
    response = redirect(request.scope, "/")
    response.headers.append("set-cookie", session_cookie(session.id, expire=True))
    response.headers["clear-site-data"] = '"cookies", "storage"'
    return response
