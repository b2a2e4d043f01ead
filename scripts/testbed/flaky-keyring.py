"""A Secret Service that fails the way gnome-keyring does under load, for the keyring helper's retry tests.

Usage: /usr/bin/python3 flaky-keyring.py BUS_ADDRESS   (Debian's python3-dbus and python3-gi)

gnome-keyring answers SearchItems with org.freedesktop.DBus.Error.UnknownMethod ("Method SearchItems is not
implemented ...") when its handler gives up before answering: it has no PKCS#11 session yet for a caller whose
first message is still being registered. This service answers the first SearchItems of every caller that way,
and every search for the server `always-unknown.example` too, and otherwise holds one docker item
(server `flaky.example`, username `flaky-user`): enough for `list` and for a `get` that finds nothing, which read
no secret. It prints "ready" once it owns org.freedesktop.secrets.
"""
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

SERVICE = "org.freedesktop.Secret.Service"
ITEM = "org.freedesktop.Secret.Item"
ITEM_PATH = "/org/freedesktop/secrets/collection/login/1"
ATTRIBUTES = {
    "server": "flaky.example",
    "username": "flaky-user",
    "docker_cli": "1",
    "label": "flaky.example",
    "xdg:schema": "io.docker.Credentials",
}


def unknown_method(name, interface):
    return dbus.exceptions.DBusException(
        f"Method {name} is not implemented on interface {interface}",
        name="org.freedesktop.DBus.Error.UnknownMethod",
    )


class Service(dbus.service.Object):
    def __init__(self, bus):
        super().__init__(bus, "/org/freedesktop/secrets")
        self.callers = set()

    @dbus.service.method(SERVICE, in_signature="a{ss}", out_signature="aoao", sender_keyword="sender")
    def SearchItems(self, attributes, sender=None):
        first = sender not in self.callers
        self.callers.add(sender)
        refused = first or attributes.get("server") == "always-unknown.example"
        print(f"SearchItems from {sender}: {'refused' if refused else 'answered'}", flush=True)
        if refused:
            raise unknown_method("SearchItems", SERVICE)
        matches = all(ATTRIBUTES.get(key) == value for key, value in attributes.items())
        return (dbus.Array([ITEM_PATH] if matches else [], signature="o"), dbus.Array([], signature="o"))


class Item(dbus.service.Object):
    @dbus.service.method(dbus.PROPERTIES_IFACE, in_signature="ss", out_signature="v")
    def Get(self, interface, name):
        if interface != ITEM:
            raise unknown_method("Get", interface)
        if name == "Attributes":
            return dbus.Dictionary(ATTRIBUTES, signature="ss")
        if name == "Modified":
            return dbus.UInt64(1700000000)
        if name == "Locked":
            return dbus.Boolean(False)
        raise dbus.exceptions.DBusException(f"no property {name}", name="org.freedesktop.DBus.Error.InvalidArgs")


def main():
    DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(sys.argv[1])
    service = Service(bus)
    item = Item(bus, ITEM_PATH)
    name = dbus.service.BusName("org.freedesktop.secrets", bus)
    print("ready", flush=True)
    GLib.MainLoop().run()
    del service, item, name


if __name__ == "__main__":
    main()
