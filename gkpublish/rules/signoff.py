"""GK301–GK308: 审核与签发 (review and sign-off).

先审后发、一事一审、谁主管谁审批谁负责 (附件2 第三条, 附件3 第一条): nothing reaches the
public site without the review of that exact item by the people whose job it is. Each
sign-off is a signed record under ``approvals/`` written by ``gkpublish approve`` (see
:mod:`gkpublish.approvals` and ``docs/signoff.md``); these rules check the records against
the trusted roster. The levels an item needs come from its column's review policy
(``site_config/review.yml``):

- 政务公开 (附件2 第七条): 科室负责人 → 分管领导 → 主要领导;
- 网站发布 (附件3 第三条, 三审三校): 经办人 → 科室负责人 → 分管领导, + 主要领导 for 重要信息;

and every public item adds 保密审查 before the leaders (GK305), each co-producing organ's
分管领导 (GK306) and, for a sensitive item, 保密/宣传/网信 (GK307). The chain is signed in
that order; each record names the one before it.

依申请公开 and 不予公开 items never reach the site, so the site's gate asks no sign-off of
them (their records, if any, must still verify). The 保密审查 of what is released to an
applicant belongs to answering that application (``records/``), not to the website.

All findings of this family come from one evaluation of the repository
(:func:`gkpublish.approvals.evaluate`): every signature is checked once, in process.
"""

from __future__ import annotations

from collections.abc import Iterator

from gkpublish.approvals import evaluate
from gkpublish.model import Repository
from gkpublish.rules import Problem, rule


def _issues(repo: Repository, rule_id: str) -> Iterator[Problem]:
    for issue in evaluate(repo).issues:
        if issue.rule == rule_id:
            yield Problem(issue.path, issue.line, issue.message)


@rule("GK301", "E", "缺少必需的审核签发", "附件2 第七条；附件3 第三条")
def missing_level(repo: Repository) -> Iterator[Problem]:
    """Every level of the column's review policy is signed, in order; a 退回 blocks.

    ``important: true`` adds the policy's ``important_steps`` (网站发布: 主要领导). A level
    whose last decision is 退回 stays missing until the same level agrees again (after the
    edit, the whole chain starts over: GK303). The message names the next level, who may
    sign it and the exact command.

    Passing (column 工作动态, policy 网站发布)::

        approvals/gzdt/a/01-经办人.json     zhang-jb 同意
        approvals/gzdt/a/02-科室负责人.json  li-kz 同意
        approvals/gzdt/a/03-保密审查.json    chen-bm 同意
        approvals/gzdt/a/04-分管领导.json    liu-fg 同意

    Failing (no 分管领导 yet)::

        content/gzdt/a.md:2: GK301 审核链：经办人 → 科室负责人 → 保密审查 → 分管领导；缺少 分管领导 签审……；
        请 分管领导（可签：liu-fg 刘分管）运行 gkpublish approve content/gzdt/a.md --step 分管领导 --as liu-fg --key <私钥文件>

    An emergency publication (GK608) within its days to complete the sign-offs is reported
    by GK608 instead; 保密审查 (GK305) is never waived.
    """
    from gkpublish.rules.history import emergency_grace

    by_path = {it.path: it for it in repo.items}
    for p in _issues(repo, "GK301"):
        item = by_path.get(p.path)
        if item is None or not emergency_grace(repo, item):
            yield p


@rule("GK302", "E", "签审记录的签名无法用可信名册核验", "附件2 第三条")
def forged(repo: Repository) -> Iterator[Problem]:
    """Each record verifies against the trusted roster, and no trusted record is removed or replaced.

    Fails for: a payload edited after signing, a key not in the roster (or only in the
    change itself, with ``--trust-ref``), the key of another person, a revoked key (in the
    item's newest round), a record copied from another item's folder, a file that is not a
    well-formed record (a duplicate JSON key, ``NaN``, deep nesting). Verdicts are those of
    ``ssh-keygen -Y verify -n gkpublish-approval@gkpublish`` with an allowed-signers file
    built from the roster.

    Records are append-only: every file under ``approvals/`` at the trusted revision
    (``--trust-ref REF``; without it ``HEAD`` in a git work tree) must still be there with
    the same bytes. Deleting a trailing 退回, swapping in an older record or reverting the
    records with the item is GK302, and the item counts as unsigned until it is restored.

    Passing: ``approvals/gzdt/a/02-科室负责人.json`` signed by li-kz with the key listed
    for li-kz in ``site_config/roster.yml``, and present unchanged since main.

    Failing (the comment was changed after signing)::

        content/gzdt/a.md: GK302 签审记录 approvals/gzdt/a/02-科室负责人.json 无效：签名与内容不符……

    Failing (the 退回 on main was deleted in the pull request)::

        content/gzdt/a.md: GK302 可信版本 main中的签审记录 approvals/gzdt/a/02-科室负责人-退回.json 在工作区被删除：
        已作出的签审决定（包括退回）不能删除或替换……；请用 git checkout main -- approvals/gzdt/a/02-科室负责人-退回.json 恢复
    """
    yield from _issues(repo, "GK302")


@rule("GK303", "E", "审核后内容被修改（先审后发）", "附件3 第一条")
def edited_after_approval(repo: Repository) -> Iterator[Problem]:
    """The item's newest review round approves its exact bytes and its attachments' bytes.

    A record binds the SHA-256 of the item file and of every attachment it references
    (front-matter ``attachments:`` and links anywhere in the body, hidden blocks included).
    Any edit of either voids the round; the next ``gkpublish approve`` starts a new round
    chained after it. Only the newest round counts: reverting the item to text an older
    round approved does not bring those approvals back. A version 1 record binds no
    attachment.

    Passing: the item and its ``名单.csv`` are unchanged since the newest round was signed.

    Failing (a row was appended to the approved attachment)::

        content/gzdt/a.md: GK303 条目在审核后被修改（先审后发，附件3 第一条）：最新一轮审核（01-经办人.json、
        02-科室负责人.json……）审核的是旧内容，改动的是 附件 content/gzdt/名单.csv（审核后被修改……）；须从第一级重新审核……
    """
    yield from _issues(repo, "GK303")


@rule("GK304", "E", "审核职责不分离或顺序错误", "附件2 第三、七条")
def separation_of_duties(repo: Repository) -> Iterator[Problem]:
    """谁主管谁审批, and nobody reviews their own work or signs twice.

    The signer must hold the step in the roster; 经办人/科室负责人 must belong to the item's
    主办科室, 保密审查/分管领导/主要领导 to its organ (a co-producer level: to that organ); the
    经办人 level is the item's own ``drafter`` and the drafter signs no other level; one
    person signs one level of a chain; levels are signed in order (each record names the
    previous one, so the order cannot be rearranged afterwards). ``drafter`` is a person id
    of the roster exactly — not a name, not another case, no surrounding spaces — or the
    drafter could name someone else and review their own item.

    Passing: zhang-jb (drafter, 政务公开科) 经办人 → li-kz (政务公开科) 科室负责人 → ….

    Failing (wang-kz is 科室负责人 of 综合科, the item belongs to 政务公开科)::

        content/gzdt/a.md: GK304 02-科室负责人.json：wang-kz 王科长 属于综合科……，
        不能签署 政务公开科 的 科室负责人（谁主管、谁审批，附件2 第三条）

    Failing (``drafter: He-KZ``)::

        content/tzgg/b.md:9: GK304 drafter“He-KZ”不是名册中的人员编号：须与 site_config/roster.yml 中某人的 id 完全一致……
    """
    yield from _issues(repo, "GK304")


@rule("GK305", "E", "公开前缺少保密审查", "附件1 第二条；綦江 第七、九条")
def secrecy_review(repo: Repository) -> Iterator[Problem]:
    """Every public item (主动公开, 部分公开) has a 保密审查 sign-off before its leaders sign.

    Passing: ``03-保密审查.json`` by chen-bm (保密审查 of the same organ).

    Failing::

        content/gzdt/a.md:2: GK305 缺少 保密审查 签审（附件1 第二条；綦江 第七、九条），
        须在 科室负责人 之后签署（可签：chen-bm 陈保密）
    """
    yield from _issues(repo, "GK305")


@rule("GK306", "E", "共同制作单位分管负责人未审批", "附件2 第八条")
def co_producers(repo: Repository) -> Iterator[Problem]:
    """An item with ``co_producers`` needs each co-producing organ's 分管领导.

    A co-producing 科室 of the item's own organ adds no level (the organ's 分管领导 signs).

    Passing: ``co_producers: [{unit: 重庆市綦江区审计局}]`` and a 分管领导 record by zhou-fg
    (审计局领导班子).

    Failing::

        content/tzgg/joint.md:2: GK306 缺少 分管领导（共同制作单位 重庆市綦江区审计局） 签审（附件2 第八条）……
    """
    yield from _issues(repo, "GK306")


@rule("GK307", "E", "敏感信息未经保密、宣传或网信部门审核", "附件2 第七条")
def escalation(repo: Repository) -> Iterator[Problem]:
    """``sensitive: true`` (保密性无法判断) needs a 保密, 宣传 or 网信 sign-off before 签发.

    Those people may belong to another organ (区保密主管部门、宣传、网信).

    Passing: ``sensitive: true`` and ``04-保密.json`` by zheng-bm.

    Failing::

        content/gzdt/a.md:2: GK307 缺少 保密/宣传/网信 签审（附件2 第七条）……
    """
    yield from _issues(repo, "GK307")


@rule("GK308", "E", "站点配置改动未经主要领导签审", "附件2 第三条")
def config_change(repo: Repository) -> Iterator[Problem]:
    """Roster, keys and site rules (``site_config/``, ``schema/``) change only with a 主要领导.

    With ``--trust-ref REF``: when they differ from REF, a ``kind: config`` record for the
    current files, signed by a 主要领导 of REF's roster, is required. Without: the working
    tree's configuration must carry such a record (verified against itself; the output
    says the working tree is trusted). The configuration's records are one chain and the
    newest decides: reverting to an older signed state needs a new sign-off. The finding
    points at the files that changed (since REF, or since the newest record).

    Passing: ``approvals/_site_config/01-主要领导.json`` by sun-zy for the current files.

    Failing (a pull request adds a person to roster.yml)::

        site_config/roster.yml: GK308 站点配置与可信版本 main 不同（site_config/roster.yml），
        须经可信版本 main 的名册中的主要领导签审……

    Failing (review.yml edited after the newest sign-off, no ``--trust-ref``)::

        site_config/review.yml: GK308 站点配置（site_config/、schema/）在最新一次签审后有改动（site_config/review.yml）……
    """
    yield from _issues(repo, "GK308")
