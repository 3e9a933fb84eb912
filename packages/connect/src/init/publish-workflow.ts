// release-publish.yml: phase 1 of a relkit release. Jobs in order, each needing the one before:
// plan (relkit's gates, dry run; a final release first gets its finalize commit, and the run
// dispatches itself again on that commit) → build (the repository's own, or docker/build-push-action per
// architecture) → sign (index, cosign, SBOM + provenance attestations, verify-publish) → release
// (relkit tags X.Y.Z / X.Y.Z-rcN and drafts the release) → smoke (the downstream dispatch).
// The git tag is created only after build, tests and signing succeeded: a failed build leaves
// no tag behind (tags are never moved or deleted, so a burnt one would cost a version).
import {
  CONCURRENCY_GROUP,
  appTokenStep,
  architecturesOf,
  checkoutStep,
  githubTokenValue,
  registryOf,
  relkitStep,
  smokeAppToken,
  smokeTokenValue,
  tokenHeader,
  workflowFileName,
  type AppToken,
  type InitInput,
} from './input.js';
import { uses } from './pins.js';

/**
 * How long the plan job's gate check waits for the release PR's checks still queued or running
 * (the second run of a final release starts as the finalize commit's CI does). The release job
 * relies on relkit's default (120 s): by then the build and signing took longer than CI.
 */
export const PLAN_WAIT_SECONDS = 900;

/** The finalize stage runs for a final release only, and never in a dry run. */
const FINALIZE_IF = "${{ inputs.release-kind == 'final' && !inputs.dry-run }}";

const RUNNERS: Record<string, string> = { amd64: 'ubuntu-24.04', arm64: 'ubuntu-24.04-arm' };

/** How the build is called: a reusable workflow (a job) or a composite action (a step). */
export type BuildKind = 'docker' | 'workflow' | 'composite';
export function buildKind(input: InitInput): BuildKind {
  if (!input.build) return 'docker';
  return /\.ya?ml$/.test(input.build) ? 'workflow' : 'composite';
}

function loginStep(input: InitInput): string {
  return `      - uses: ${uses('login')}
        with:
          registry: ${registryOf(input.image)}
          username: \${{ github.actor }}
          password: \${{ secrets.GITHUB_TOKEN }}
`;
}

/**
 * GITHUB_TOKEN's grants in a job where relkit reads the release PR and its checks (and, with
 * `contents`, writes tags and commits): only contents: read (checkout) when an App token does it.
 */
function readGates(app: boolean, contents: 'read' | 'write' = 'read'): string {
  return app
    ? '      contents: read\n'
    : `      contents: ${contents}\n      pull-requests: read\n      checks: read\n      statuses: read\n`;
}

/** The build (and so everything after it) runs unless this is a dry run or the run re-dispatched itself. */
const BUILD_IF = "${{ !inputs.dry-run && needs.plan.outputs.redispatched != 'true' }}";

const platformsOf = (input: InitInput) => architecturesOf(input).map((a) => `linux/${a}`);

function dockerBuildJob(input: InitInput): string {
  const matrix = architecturesOf(input)
    .map((a) => `          - arch: ${a}\n            runner: ${RUNNERS[a] ?? 'ubuntu-24.04'}`)
    .join('\n');
  return `  build:
    name: Build \${{ matrix.arch }}
    needs: plan
    if: ${BUILD_IF}
    strategy:
      fail-fast: true
      matrix:
        include:
${matrix}
    runs-on: \${{ matrix.runner }}
    permissions:
      contents: read
      packages: write
    steps:
${checkoutStep()}      - uses: ${uses('setupBuildx')}
${loginStep(input)}      # Test the image here (or pass --build to \`release-cli init\`): a failure leaves no tag.
      - name: Build and push \${{ needs.plan.outputs.image-tag }}-\${{ matrix.arch }}
        uses: ${uses('buildPush')}
        with:
          context: .
          platforms: linux/\${{ matrix.arch }}
          push: true
          tags: \${{ env.IMAGE }}:\${{ needs.plan.outputs.image-tag }}-\${{ matrix.arch }}
          # Provenance and SBOM are attested on the signed index below, not per platform.
          provenance: false
          sbom: false
          labels: |
            org.opencontainers.image.source=\${{ github.server_url }}/\${{ github.repository }}
            org.opencontainers.image.revision=\${{ github.sha }}
            org.opencontainers.image.version=\${{ needs.plan.outputs.image-tag }}
`;
}

function workflowBuildJob(input: InitInput): string {
  return `  build:
    name: Build, test, push (${input.build})
    needs: plan
    if: ${BUILD_IF}
    uses: ${input.build}
    permissions:
      contents: read
      packages: write
    # The build's own secrets (caches, registries); it gets no relkit token.
    secrets: inherit
    with:
      image: ${input.image}
      image-tag: \${{ needs.plan.outputs.image-tag }}
      platforms: ${platformsOf(input).join(',')}
`;
}

function compositeBuildJob(input: InitInput): string {
  return `  build:
    name: Build, test, push (${input.build})
    needs: plan
    if: ${BUILD_IF}
    runs-on: ubuntu-24.04
    permissions:
      contents: read
      packages: write
    outputs:
      digests: \${{ steps.build.outputs.digests }}
    steps:
${checkoutStep()}${loginStep(input)}      - name: Build, test and push by digest
        id: build
        uses: ${input.build}
        with:
          image: \${{ env.IMAGE }}
          image-tag: \${{ needs.plan.outputs.image-tag }}
          platforms: ${platformsOf(input).join(',')}
`;
}

/** The shell that assembles the index from what the build pushed. */
function assembleIndex(input: InitInput): { env: string; run: string } {
  if (buildKind(input) === 'docker') {
    const sources = architecturesOf(input)
      .map((a) => `"$IMAGE:$TAG-${a}"`)
      .join(' ');
    return { env: '', run: `          docker buildx imagetools create --tag "$IMAGE:$TAG" ${sources}\n` };
  }
  const count = platformsOf(input).length;
  return {
    env: `          DIGESTS: \${{ needs.build.outputs.digests }}\n`,
    run: `          # The build's output: {"linux/amd64": "sha256:…", …}, one digest per platform.
          mapfile -t sources < <(jq -r --arg image "$IMAGE" 'to_entries[] | "\\($image)@\\(.value)"' <<<"$DIGESTS")
          if [ "\${#sources[@]}" -ne ${count} ]; then
            echo "::error::the build returned \${#sources[@]} platform digest(s), expected ${count}: $DIGESTS"
            exit 1
          fi
          docker buildx imagetools create --tag "$IMAGE:$TAG" "\${sources[@]}"
`,
  };
}

export function publishWorkflow(input: InitInput): string {
  const app = input.githubApp === true;
  const token = githubTokenValue(input);
  const index = assembleIndex(input);
  const build =
    buildKind(input) === 'workflow'
      ? workflowBuildJob(input)
      : buildKind(input) === 'composite'
        ? compositeBuildJob(input)
        : dockerBuildJob(input);
  const buildLine = input.build
    ? `the repository's own build, ${input.build} (inputs image, image-tag,\n#           platforms; pushes by digest; output digests: JSON platform → digest)`
    : 'docker/build-push-action, one job per architecture (IMAGE:TAG-<arch>)';
  // Every App token of the file: the steps below and the header's list of what the App needs.
  // contents: write although this job changes nothing (dry run): GitHub lists draft releases only
  // to tokens with write access, and the final's gates must see the draft (else pending).
  const gatesToken: AppToken = {
    id: 'app-token',
    purpose: 'read the release PR, its checks and the draft release',
    permissions: { contents: 'write', 'pull-requests': 'read', checks: 'read', statuses: 'read' },
  };
  // The finalize stage takes the release lock and commits: contents write, and the gates' reads.
  const finalizeToken: AppToken = {
    id: 'finalize-token',
    purpose: 'the finalize commit',
    permissions: { contents: 'write', 'pull-requests': 'read', checks: 'read', statuses: 'read' },
    condition: FINALIZE_IF,
  };
  const releaseToken: AppToken = {
    id: 'app-token',
    purpose: 'tag, API commit, draft release',
    permissions: { contents: 'write', 'pull-requests': 'read', checks: 'read', statuses: 'read' },
  };
  const draftToken: AppToken = {
    id: 'app-token',
    purpose: 'the draft release',
    permissions: { contents: 'write' },
  };
  const smokeToken = smokeAppToken(input, `dispatch to ${input.smoke}`, { contents: 'write' });
  const tokens = app
    ? [gatesToken, finalizeToken, releaseToken, ...(smokeToken ? [draftToken, smokeToken] : [])]
    : [];
  const smoke = input.smoke
    ? `
  smoke:
    name: Dispatch the downstream smoke test
    needs: [plan, release]
    runs-on: ubuntu-24.04
    permissions:
      contents: ${app ? 'read' : 'write'}
    steps:
${
  app ? appTokenStep(draftToken) + (smokeToken ? appTokenStep(smokeToken) : '') : ''
}${checkoutStep()}${relkitStep(input, 'relkit publish (the smoke dispatch)', {
        command: 'publish',
        version: '${{ inputs.version }}',
        candidate: "${{ inputs.release-kind == 'candidate' }}",
        stage: 'smoke',
        'github-token': token,
        'smoke-token': smokeTokenValue(input, smokeToken),
      })}`
    : '';
  return `# Generated by \`release-cli init\`. Phase 1 of a relkit release: PUBLISH. Dispatch it on
# release/X.Y.Z (\`just publish-candidate X.Y.Z\`, \`just finalize-release X.Y.Z\`).
#
#   plan     relkit checks every gate (dry run: nothing changes) and names the tag: the next
#            X.Y.Z-rcN (release-kind=candidate) or X.Y.Z (final)
#   build    ${buildLine}
#   sign     the multi-arch index X.Y.Z[-rcN] (never latest), cosign (keyless), SBOM and SLSA
#            provenance attestations, then relkit verify-publish
#   release  only now: relkit tags the commit this run built (built-from: github.sha; it refuses
#            any other) and creates the draft GitHub release${input.smoke ? `\n#   smoke    relkit dispatches the downstream smoke test (${input.smoke})` : ''}
#
# A final release takes TWO runs. Promote's provenance gate wants the images signed by a run of
# the commit X.Y.Z tags: the finalize commit, whose CHANGELOG is dated. So the first run's plan
# job only makes that commit (relkit publish, stage finalize: every gate, then the CHANGELOG, its
# mirrors and version files dated in one API commit; no tag, no release), dispatches this
# workflow again on release/X.Y.Z with the same inputs (gh workflow run; GITHUB_TOKEN with
# actions: write, whose workflow_dispatch does start a run) and skips the rest. The second run
# finds the CHANGELOG dated at its own commit (the finalize stage is then a no-op), builds, signs
# and tags that commit. Its gates judge the release PR at the finalize commit, whose CI has just
# started: the plan job waits up to ${PLAN_WAIT_SECONDS / 60} minutes (relkit's wait input) while the PR's checks
# are queued or running; if they are still running then, or one failed, it stops there (nothing
# was tagged): dispatch it again once they are green.
# Candidates take one run.
#
# A failed build, test or signature leaves no tag. \`latest\` is never touched here:
# ${workflowFileName(input, 'promote-release')} moves it after a human has looked.
${tokenHeader(input, tokens, true)}name: release-publish

on:
  workflow_dispatch:
    inputs:
      version:
        description: Version to publish (X.Y.Z)
        required: true
        type: string
      release-kind:
        description: candidate (the next X.Y.Z-rcN) or final (X.Y.Z)
        required: true
        default: candidate
        type: choice
        options:
          - candidate
          - final
      dry-run:
        description: Check the gates only; change nothing
        required: false
        default: false
        type: boolean

concurrency:
  # Publish, promote and abandon never overlap (tags, manifests, latest).
  group: ${CONCURRENCY_GROUP}
  cancel-in-progress: false

permissions: {}

env:
  IMAGE: ${input.image}

jobs:
  plan:
    name: Gates (and the finalize commit of a final release)
    runs-on: ubuntu-24.04
    permissions:
${readGates(app, 'write')}      actions: write
    outputs:
      tag: \${{ steps.relkit.outputs.tag }}
      image-tag: \${{ steps.relkit.outputs.image-tag }}
      redispatched: \${{ steps.redispatch.outputs.redispatched }}
    steps:
      - name: Run on the release branch only (the signing identity names it)
        env:
          VERSION: \${{ inputs.version }}
        run: |
          if [ "$GITHUB_REF" != "refs/heads/release/$VERSION" ]; then
            echo "::error::dispatch this workflow on release/$VERSION (gh workflow run --ref release/$VERSION), not $GITHUB_REF"
            exit 1
          fi
${app ? appTokenStep(gatesToken) + appTokenStep(finalizeToken) : ''}${checkoutStep()}${relkitStep(
    input,
    'relkit publish, stage finalize (final only; a no-op once the CHANGELOG is dated here)',
    {
      command: 'publish',
      version: '${{ inputs.version }}',
      stage: 'finalize',
      'github-token': app ? '${{ steps.finalize-token.outputs.token }}' : token,
      'commit-token': app ? '${{ steps.finalize-token.outputs.token }}' : token,
    },
    'finalize',
    FINALIZE_IF,
  )}      - name: A new finalize commit? Build it in a run of its own
        id: redispatch
        if: \${{ steps.finalize.outputs.sha != '' && steps.finalize.outputs.sha != github.sha }}
        env:
          GH_TOKEN: \${{ github.token }}
          VERSION: \${{ inputs.version }}
          FINALIZE_SHA: \${{ steps.finalize.outputs.sha }}
        run: |
          gh workflow run ${workflowFileName(input, 'release-publish')} --repo "$GITHUB_REPOSITORY" --ref "release/$VERSION" -f "version=$VERSION" -f release-kind=final
          echo "redispatched=true" >> "$GITHUB_OUTPUT"
          echo "::notice::finalized $VERSION in $FINALIZE_SHA; a new run of this workflow on release/$VERSION builds, signs and tags it"
${relkitStep(
  input,
  'relkit publish --dry-run (every gate; the tag to create)',
  {
    command: 'publish',
    version: '${{ inputs.version }}',
    candidate: "${{ inputs.release-kind == 'candidate' }}",
    stage: 'release',
    'dry-run': "'true'",
    // The second run of a final release starts as the finalize commit's CI does.
    wait: `'${PLAN_WAIT_SECONDS}'`,
    'github-token': token,
  },
  'relkit',
  "${{ steps.redispatch.outputs.redispatched != 'true' }}",
)}
${build}
  sign:
    name: Index, sign, attest, verify
    needs: [plan, build]
    runs-on: ubuntu-24.04
    permissions:
      contents: read
      packages: write
      id-token: write
      attestations: write
      artifact-metadata: write
    steps:
${checkoutStep()}      - uses: ${uses('setupBuildx')}
${loginStep(input)}      - name: Assemble the index \${{ needs.plan.outputs.image-tag }} (never latest)
        id: index
        env:
          TAG: \${{ needs.plan.outputs.image-tag }}
${index.env}        run: |
${index.run}          digest="$(docker buildx imagetools inspect "$IMAGE:$TAG" --format '{{json .Manifest.Digest}}' | tr -d '"')"
          echo "digest=$digest" >> "$GITHUB_OUTPUT"
      - uses: ${uses('cosignInstaller')}
      - name: Sign the index digest (keyless, GitHub OIDC)
        env:
          DIGEST: \${{ steps.index.outputs.digest }}
        run: cosign sign --yes "$IMAGE@$DIGEST"
      - name: SBOM (SPDX)
        uses: ${uses('sbom')}
        with:
          image: \${{ env.IMAGE }}@\${{ steps.index.outputs.digest }}
          registry-username: \${{ github.actor }}
          registry-password: \${{ secrets.GITHUB_TOKEN }}
          format: spdx-json
          output-file: sbom.spdx.json
      - name: Attest the SBOM
        uses: ${uses('attest')}
        with:
          subject-name: \${{ env.IMAGE }}
          subject-digest: \${{ steps.index.outputs.digest }}
          sbom-path: sbom.spdx.json
          push-to-registry: true
      - name: Attest build provenance (SLSA)
        uses: ${uses('attest')}
        with:
          subject-name: \${{ env.IMAGE }}
          subject-digest: \${{ steps.index.outputs.digest }}
          push-to-registry: true
${relkitStep(input, 'relkit verify-publish (every platform, signed by this workflow)', {
  command: 'verify-publish',
  version: '${{ needs.plan.outputs.image-tag }}',
})}
  release:
    name: Tag \${{ needs.plan.outputs.tag }} and draft the release
    needs: [plan, sign]
    runs-on: ubuntu-24.04
    permissions:
${readGates(app, 'write')}    outputs:
      tag: \${{ steps.relkit.outputs.tag }}
      sha: \${{ steps.relkit.outputs.sha }}
    steps:
${app ? appTokenStep(releaseToken) : ''}${checkoutStep()}${relkitStep(
    input,
    'relkit publish (tag the commit this run built; draft release)',
    {
      command: 'publish',
      version: '${{ inputs.version }}',
      candidate: "${{ inputs.release-kind == 'candidate' }}",
      stage: 'release',
      // The release branch must still be, and the tag must mark, the commit the images came from.
      'built-from': '${{ github.sha }}',
      'github-token': token,
    },
    'relkit',
  )}${smoke}`;
}
