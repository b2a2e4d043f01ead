#!/usr/bin/env python3
"""Builds a test image in memory and pushes it straight through the registry API (there is no Docker engine).

Usage: seed-image.py --registry HOST:PORT --repo NAME --tag TAG [--user U --password P]
                     [--format oci|docker] [--platforms linux/amd64,linux/arm64/v8] [--layer-mib N] [--layer-kib N] [--layers K]
                     [--bare-config] [--foreign-layer]
Prints a JSON object: {"digest": top-level digest, "media_type": ..., "manifests": {platform: digest},
"layers": {platform: [layer digests]}}. Handles Basic and Bearer (token) auth like a registry client.
With one platform and no --index the tag names a plain image manifest; otherwise an index / manifest list.
"""
import argparse, base64, gzip, hashlib, io, json, os, re, sys, tarfile, urllib.error, urllib.parse, urllib.request

MT = {
    "oci": {"manifest": "application/vnd.oci.image.manifest.v1+json", "index": "application/vnd.oci.image.index.v1+json",
            "config": "application/vnd.oci.image.config.v1+json", "layer": "application/vnd.oci.image.layer.v1.tar+gzip"},
    "docker": {"manifest": "application/vnd.docker.distribution.manifest.v2+json",
               "index": "application/vnd.docker.distribution.manifest.list.v2+json",
               "config": "application/vnd.docker.container.image.v1+json",
               "layer": "application/vnd.docker.image.rootfs.diff.tar.gzip"},
}


class Registry:
    def __init__(self, host, user, password, scheme="http"):
        self.base = f"{scheme}://{host}"
        self.user, self.password = user, password
        self.token = None

    def request(self, method, path, body=None, headers=None, repo=None):
        url = path if path.startswith("http") else self.base + path
        for attempt in range(2):
            h = dict(headers or {})
            if self.token:
                h["Authorization"] = "Bearer " + self.token
            elif self.user is not None and getattr(self, "basic", False):
                h["Authorization"] = "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            req = urllib.request.Request(url, data=body, method=method, headers=h)
            try:
                with urllib.request.urlopen(req) as r:
                    return r.status, dict(r.headers), r.read()
            except urllib.error.HTTPError as e:
                if e.code == 401 and attempt == 0:
                    self.authenticate(e.headers.get("WWW-Authenticate", ""), repo)
                    continue
                raise SystemExit(f"seed-image: {method} {path} -> {e.code}: {e.read()[:300]!r}")
        raise SystemExit(f"seed-image: {method} {path}: unauthorized")

    def authenticate(self, challenge, repo):
        if challenge.lower().startswith("basic"):
            self.basic = True
            return
        params = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
        query = {"service": params.get("service", "")}
        scope = f"repository:{repo}:pull,push" if repo else params.get("scope")
        if scope:
            query["scope"] = scope
        req = urllib.request.Request(params["realm"] + "?" + urllib.parse.urlencode(query))
        if self.user is not None:
            req.add_header("Authorization", "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode())
        with urllib.request.urlopen(req) as r:
            doc = json.load(r)
        self.token = doc.get("token") or doc.get("access_token")

    def push_blob(self, repo, data):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        status, headers, _ = self.request("POST", f"/v2/{repo}/blobs/uploads/", b"", repo=repo)
        location = headers["Location"]
        sep = "&" if "?" in location else "?"
        self.request("PUT", f"{location}{sep}digest={digest}", data, {"Content-Type": "application/octet-stream"}, repo=repo)
        return digest

    def push_manifest(self, repo, ref, data, media_type):
        self.request("PUT", f"/v2/{repo}/manifests/{ref}", data, {"Content-Type": media_type}, repo=repo)
        return "sha256:" + hashlib.sha256(data).hexdigest()


def make_layer(name, text, size_bytes):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        payload = text.encode()
        if size_bytes:
            # Incompressible bytes, so the gzip layer really is about this size.
            payload = os.urandom(size_bytes)
        info = tarfile.TarInfo(name)
        info.size, info.mtime = len(payload), 0
        tar.addfile(info, io.BytesIO(payload))
    uncompressed = raw.getvalue()
    compressed = gzip.compress(uncompressed, compresslevel=1, mtime=0)
    return compressed, "sha256:" + hashlib.sha256(uncompressed).hexdigest()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--registry", required=True)
    p.add_argument("--repo", required=True)
    p.add_argument("--tag", required=True)
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--password-env", help="read the password from this environment variable")
    p.add_argument("--format", choices=["oci", "docker"], default="oci")
    p.add_argument("--platforms", default="linux/amd64")
    p.add_argument("--index", action="store_true", help="always push an index, even for one platform")
    p.add_argument("--layer-mib", type=int, default=0, help="size of the first layer in MiB (random bytes)")
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--layer-kib", type=int, default=0, help="make every layer this many KiB (random bytes) instead")
    p.add_argument("--every-layer", action="store_true", help="make every layer --layer-mib large, not only the first")
    p.add_argument("--scheme", default="http")
    p.add_argument("--foreign-layer", action="store_true",
                   help="add a foreign (non-distributable) layer, named by URL and not pushed to the registry")
    p.add_argument("--bare-config", action="store_true", help="leave os and architecture out of the image configuration")
    a = p.parse_args()
    password = os.environ.get(a.password_env) if a.password_env else a.password
    reg = Registry(a.registry, a.user, password, a.scheme)
    mt = MT[a.format]
    platforms = a.platforms.split(",")
    result = {"manifests": {}, "layers": {}, "sizes": {}}
    entries = []
    for platform in platforms:
        parts = platform.split("/")
        layers = []
        diff_ids = []
        for i in range(a.layers):
            # A nonce makes every run's blobs new: a registry kept from an earlier run must not already hold them.
            text = f"{a.repo}:{a.tag} {platform} layer {i} {os.urandom(8).hex()}\n"
            size = a.layer_kib << 10 if a.layer_kib else (a.layer_mib << 20 if i == 0 or a.every_layer else 0)
            blob, diff_id = make_layer(f"file{i}.txt", text, size)
            layers.append({"mediaType": mt["layer"], "digest": reg.push_blob(a.repo, blob), "size": len(blob)})
            diff_ids.append(diff_id)
        if a.foreign_layer:
            blob, diff_id = make_layer("foreign.txt", f"foreign {os.urandom(8).hex()}\n", 0)
            foreign_type = {"oci": "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
                            "docker": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"}[a.format]
            layers.insert(0, {"mediaType": foreign_type, "digest": "sha256:" + hashlib.sha256(blob).hexdigest(),
                              "size": len(blob), "urls": ["https://foreign.invalid/layer.tar.gz"]})
            diff_ids.insert(0, diff_id)
        config = {"architecture": parts[1], "os": parts[0], "rootfs": {"type": "layers", "diff_ids": diff_ids}, "config": {}}
        if len(parts) > 2:
            config["variant"] = parts[2]
        if a.bare_config:
            del config["os"], config["architecture"]
            config.pop("variant", None)
        config_bytes = json.dumps(config, separators=(",", ":")).encode()
        manifest = {"schemaVersion": 2, "mediaType": mt["manifest"],
                    "config": {"mediaType": mt["config"], "digest": reg.push_blob(a.repo, config_bytes), "size": len(config_bytes)},
                    "layers": layers}
        manifest_bytes = json.dumps(manifest, indent=3).encode()  # unusual formatting: digests must come from bytes
        single = len(platforms) == 1 and not a.index
        digest = reg.push_manifest(a.repo, a.tag if single else "sha256:" + hashlib.sha256(manifest_bytes).hexdigest(), manifest_bytes, mt["manifest"])
        result["manifests"][platform] = digest
        result["layers"][platform] = [l["digest"] for l in layers]
        result["sizes"][platform] = [l["size"] for l in layers]
        desc = {"mediaType": mt["manifest"], "digest": digest, "size": len(manifest_bytes),
                "platform": {"architecture": parts[1], "os": parts[0]}}
        if len(parts) > 2:
            desc["platform"]["variant"] = parts[2]
        entries.append(desc)
        if single:
            result["digest"], result["media_type"] = digest, mt["manifest"]
    if len(platforms) > 1 or a.index:
        index = {"schemaVersion": 2, "mediaType": mt["index"], "manifests": entries}
        index_bytes = json.dumps(index).encode()
        result["digest"] = reg.push_manifest(a.repo, a.tag, index_bytes, mt["index"])
        result["media_type"] = mt["index"]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
