#!/usr/bin/env bash
# 内网发布：检查、生成并签名站点，再复制到内网网站服务器的目录（本机目录，或 rsync 目标 host:/path）。
# 在内网的任意 CI 执行器或计划任务中运行，工作目录为站点仓库（main 分支，完整历史）：
#
#   GKPUBLISH_TRUST_REF=<上次发布的提交> GKPUBLISH_SITE_KEY="$(cat 发布私钥)" \
#   GKPUBLISH_DEPLOY_DIR=/var/www/gk ci/publish-intranet.sh
#
# GKPUBLISH_TRUST_REF 为空时只信任工作区本身（仅用于第一次发布）。复制后再用 verify-deployed 核验目标目录。
set -euo pipefail
: "${GKPUBLISH_DEPLOY_DIR:?请设置 GKPUBLISH_DEPLOY_DIR：内网网站的目录或 rsync 目标（host:/path）}"
: "${GKPUBLISH_SITE_KEY:?请设置 GKPUBLISH_SITE_KEY：名册中“发布”人员的私钥}"
TRUST="${GKPUBLISH_TRUST_REF:-}"
if [ -z "$TRUST" ]; then
  echo "警告：没有 GKPUBLISH_TRUST_REF：名册与密钥只能取自工作区本身（仅第一次发布时可以这样）" >&2
fi
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
gkpublish check ${TRUST:+--trust-ref "$TRUST"}
gkpublish build --out "$OUT/site" ${TRUST:+--trust-ref "$TRUST"}
gkpublish verify-deployed "$OUT/site"
case "$GKPUBLISH_DEPLOY_DIR" in
  *:*) rsync -a --delete --checksum "$OUT/site/" "$GKPUBLISH_DEPLOY_DIR/" ;;
  *) mkdir -p "$GKPUBLISH_DEPLOY_DIR"
     if command -v rsync >/dev/null; then
       rsync -a --delete --checksum "$OUT/site/" "$GKPUBLISH_DEPLOY_DIR/"
     else
       find "$GKPUBLISH_DEPLOY_DIR" -mindepth 1 -delete
       cp -R "$OUT/site/." "$GKPUBLISH_DEPLOY_DIR/"
     fi
     gkpublish verify-deployed "$GKPUBLISH_DEPLOY_DIR" ;;
esac
echo "已发布到 $GKPUBLISH_DEPLOY_DIR"
