"""Every write of the hotline, one module per part of the work.

- ``intake``: public, phone, mailbox and 12310 intake; 追加; duplicates check.
- ``centre``: the hotline centre (热线中心) — dispatch, merge, disputes, extensions,
  催办 / 督办, revisit, reopen, close, publication.
- ``handling``: a handling department — accept, assist, reply, ask for an extension,
  dispute a dispatch.
- ``administration``: subjects, dispatch rules, mailboxes, Open311 keys.
- ``reveal``: 查看完整号码, the lead department's audited look at a reporter's phone.

Each action is one transaction with its permission check and its audit record.
"""
