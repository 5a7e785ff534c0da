"""Send the lab's CA after each certificate the proxy makes, as company proxies do.

Clients then see what they see behind one: a self-signed certificate in the chain
(pip's CERTIFICATE_VERIFY_FAILED, npm's SELF_SIGNED_CERT_IN_CHAIN), not a bare
certificate from an unknown issuer. mitmproxy sends its chain's certificates when the
store names no chain file and holds more than one; the CA twice is a chain that ends in it.
"""

from mitmproxy import ctx, tls


class SendCAInChain:
    def tls_start_client(self, data: tls.TlsData) -> None:
        # Before mitmproxy's own handler makes the connection's certificate (scripts run
        # first); set on every connection, as the store may be made again on reconfigure.
        store = ctx.master.addons.get("tlsconfig").certstore
        store.default_chain_file = None
        store.default_chain_certs = [store.default_ca, store.default_ca]


addons = [SendCAInChain()]
