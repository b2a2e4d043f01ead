// The parts of libsecret (and GLib) that Swift cannot call directly: the schema docker's helper uses (a static
// C struct with a fixed attribute array) and GHashTable helpers (g_str_hash and g_free as function pointers).
// SwiftPM does not notice edits to this file: touch a Swift file of SecretServiceStore after changing it.
#ifndef OSSB_CLIBSECRET_SHIM_H
#define OSSB_CLIBSECRET_SHIM_H

// The D-Bus path functions (secret-paths.h) let the store work on item paths without building a GDBusProxy per
// item: a proxy costs five bus round trips, the path functions one. They have been stable since libsecret 0.7.
#define SECRET_API_SUBJECT_TO_CHANGE
#include <libsecret/secret.h>

// docker-credential-secretservice's schema, attribute for attribute (docker-credential-helpers
// secretservice/secretservice.c). SECRET_SCHEMA_NONE means libsecret adds and matches `xdg:schema`, so
// items stay interchangeable with docker's helper only while the name and flags are exactly these.
static inline const SecretSchema *ossb_docker_schema(void) {
    static const SecretSchema schema = {
        "io.docker.Credentials", SECRET_SCHEMA_NONE,
        {
            { "label", SECRET_SCHEMA_ATTRIBUTE_STRING },
            { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
            { "username", SECRET_SCHEMA_ATTRIBUTE_STRING },
            { "docker_cli", SECRET_SCHEMA_ATTRIBUTE_STRING },
            { NULL, 0 },
        }
    };
    return &schema;
}

// A string-to-string table owning copies of its keys and values, as libsecret's attribute arguments expect.
static inline GHashTable *ossb_attributes_new(void) {
    return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

static inline void ossb_attributes_set(GHashTable *table, const char *name, const char *value) {
    g_hash_table_insert(table, g_strdup(name), g_strdup(value));
}

// The string value of an attribute, or NULL; owned by the table.
static inline const char *ossb_attributes_get(GHashTable *table, const char *name) {
    return (const char *)g_hash_table_lookup(table, name);
}

// Whether anybody owns org.freedesktop.secrets (the proxy is created even when nobody does).
static inline gboolean ossb_service_has_owner(SecretService *service) {
    gchar *owner = g_dbus_proxy_get_name_owner(G_DBUS_PROXY(service));
    gboolean has = owner != NULL;
    g_free(owner);
    return has;
}

// libsecret's service object, built lean: libsecret's constructor asks GDBusProxy to load the service's
// properties, subscribe to its signals and start it by name, and `secret_service_get_sync` also caches the
// object behind a bus-name watch. The path-based calls use none of that, and it costs three bus round trips
// (StartServiceByName, GetNameOwner, Properties.GetAll). This subclass puts the proxy flags back after
// libsecret's constructor; method calls still start an activatable service. Given the unique bus name of the
// service (the sender of a reply it already sent), the proxy addresses that connection directly and GDBus skips
// GetNameOwner too: building it then costs no round trip at all.
typedef struct { SecretService parent; } OssbLeanService;
typedef struct { SecretServiceClass parent_class; } OssbLeanServiceClass;

// The unique name the next lean service on this thread is built for (NULL: the well-known name). A thread-local
// slot because GObject constructors take no arguments beyond construct properties.
static inline const char **ossb_lean_service_owner(void) {
    static __thread const char *owner = NULL;
    return &owner;
}

// The type is registered by hand (not G_DEFINE_TYPE) because Swift's importer emits this header's inline
// functions but not file-level static variables.
static GObject *ossb_lean_service_constructor(GType type, guint count, GObjectConstructParam *properties) {
    GObjectClass *parent = G_OBJECT_CLASS(g_type_class_peek(SECRET_TYPE_SERVICE));
    GObject *object = parent->constructor(type, count, properties);
    g_object_set(object, "g-flags",
                 G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES | G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS |
                     G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START_AT_CONSTRUCTION,
                 NULL);
    const char *owner = *ossb_lean_service_owner();
    if (owner != NULL) g_object_set(object, "g-name", owner, NULL);
    return object;
}

static void ossb_lean_service_class_init(gpointer klass, gpointer data) {
    (void)data;
    G_OBJECT_CLASS(klass)->constructor = ossb_lean_service_constructor;
}

static inline GType ossb_lean_service_get_type(void) {
    static gsize type = 0;
    if (g_once_init_enter(&type)) {
        GType registered = g_type_register_static_simple(
            SECRET_TYPE_SERVICE, "OssbLeanService", sizeof(OssbLeanServiceClass), ossb_lean_service_class_init,
            sizeof(OssbLeanService), NULL, 0);
        g_once_init_leave(&type, registered);
    }
    return type;
}

// A new lean service object on the session bus (not libsecret's shared one), addressed to `owner` (a unique bus
// name) or, when it is NULL, to org.freedesktop.secrets; the caller unrefs it.
static inline SecretService *ossb_service_open(const char *owner, GCancellable *cancellable, GError **error) {
    *ossb_lean_service_owner() = owner;
    SecretService *service = (SecretService *)g_initable_new(ossb_lean_service_get_type(), cancellable, error,
                                                             "flags", SECRET_SERVICE_NONE, NULL);
    *ossb_lean_service_owner() = NULL;
    return service;
}

// The encrypted session, opened on a thread of its own: building the service object for `owner` and the key
// exchange (libgcrypt seeding its generator and two 1024-bit exponentiations here, as many in the keyring: about
// 3.5 ms in all) then overlap the attribute read of `get` instead of following it. The thread holds its own
// references; join it with `ossb_session_join`, which hands over the service with its session open, before
// reading a secret, or leave it to finish on its own when no secret is needed.
typedef struct {
    gchar *owner;
    GCancellable *cancellable;
    SecretService *service;
    GError *error;
} OssbSessionOpening;

static gpointer ossb_session_open_thread(gpointer data) {
    OssbSessionOpening *opening = data;
    opening->service = ossb_service_open(opening->owner, opening->cancellable, &opening->error);
    if (opening->service != NULL &&
        !secret_service_ensure_session_sync(opening->service, opening->cancellable, &opening->error)) {
        g_clear_object(&opening->service);
    }
    return opening;
}

static inline GThread *ossb_session_start(const char *owner, GCancellable *cancellable) {
    OssbSessionOpening *opening = g_new0(OssbSessionOpening, 1);
    opening->owner = g_strdup(owner);
    opening->cancellable = cancellable == NULL ? NULL : g_object_ref(cancellable);
    return g_thread_new("ossb-session", ossb_session_open_thread, opening);
}

static inline void ossb_session_opening_free(OssbSessionOpening *opening) {
    g_clear_object(&opening->service);
    g_clear_error(&opening->error);
    g_clear_object(&opening->cancellable);
    g_free(opening->owner);
    g_free(opening);
}

// Waits for the session: the service object with its session open (the caller unrefs it), or NULL with `error`.
static inline SecretService *ossb_session_join(GThread *thread, GError **error) {
    OssbSessionOpening *opening = g_thread_join(thread);
    SecretService *service = g_steal_pointer(&opening->service);
    if (service == NULL) g_propagate_error(error, g_steal_pointer(&opening->error));
    ossb_session_opening_free(opening);
    return service;
}

// Lets the session thread finish on its own (its result is not needed).
static gpointer ossb_session_abandon_thread(gpointer data) {
    ossb_session_opening_free(g_thread_join((GThread *)data));
    return NULL;
}

static inline void ossb_session_abandon(GThread *thread) {
    g_thread_unref(g_thread_new("ossb-session-reaper", ossb_session_abandon_thread, thread));
}

// Reads one property of a Secret Service object (Properties.Get); the caller unrefs the value.
static inline GVariant *ossb_get_property(GDBusConnection *connection, const char *path, const char *interface,
                                          const char *name, GCancellable *cancellable, GError **error) {
    GVariant *reply = g_dbus_connection_call_sync(
        connection, "org.freedesktop.secrets", path, "org.freedesktop.DBus.Properties", "Get",
        g_variant_new("(ss)", interface, name), G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NONE, -1, cancellable, error);
    if (reply == NULL) return NULL;
    GVariant *value = NULL;
    g_variant_get(reply, "(v)", &value);
    g_variant_unref(reply);
    return value;
}

// Peer.Ping on org.freedesktop.secrets: answers when a Secret Service runs (or is started by D-Bus activation),
// fails with ServiceUnknown when none can.
static inline gboolean ossb_ping_service(GDBusConnection *connection, GCancellable *cancellable, GError **error) {
    GVariant *reply = g_dbus_connection_call_sync(
        connection, "org.freedesktop.secrets", "/org/freedesktop/secrets", "org.freedesktop.DBus.Peer", "Ping", NULL,
        NULL, G_DBUS_CALL_FLAGS_NONE, -1, cancellable, error);
    if (reply == NULL) return FALSE;
    g_variant_unref(reply);
    return TRUE;
}

// Calls to the Secret Service sent without waiting for the answers of earlier ones (pipelined), on a private
// main context of the calling thread: `get` sends its two searches at once, and the `Properties.Get` of every
// item found goes out before the first answer is awaited, so 100 items cost about one round trip plus the
// service's work instead of 100 round trips one after another. libsecret has no path-based call for attributes
// (only a SecretItem proxy, five round trips each), and its search waits for its answer, so these are plain
// GDBus messages. A cancelled `cancellable` ends every call at once. Free with `ossb_batch_free`, on the thread
// that made the batch.
typedef struct {
    GVariant *body;   // the reply's body, NULL until answered or on error
    GError *error;    // why the call failed
    gchar *sender;    // the unique bus name that answered
    gboolean done;
} OssbCall;

typedef struct {
    GDBusConnection *connection;
    GCancellable *cancellable;
    GMainContext *context;
    GPtrArray *calls;
    guint pending;
} OssbBatch;

typedef struct {
    OssbBatch *batch;
    OssbCall *call;
} OssbCallSent;

static void ossb_call_free(gpointer data) {
    OssbCall *call = data;
    if (call->body != NULL) g_variant_unref(call->body);
    g_clear_error(&call->error);
    g_free(call->sender);
    g_free(call);
}

static inline OssbBatch *ossb_batch_new(GDBusConnection *connection, GCancellable *cancellable) {
    OssbBatch *batch = g_new0(OssbBatch, 1);
    batch->connection = g_object_ref(connection);
    batch->cancellable = cancellable == NULL ? NULL : g_object_ref(cancellable);
    batch->context = g_main_context_new();
    batch->calls = g_ptr_array_new_with_free_func(ossb_call_free);
    return batch;
}

static void ossb_batch_answered(GObject *source, GAsyncResult *result, gpointer data) {
    OssbCallSent *sent = data;
    OssbCall *call = sent->call;
    GDBusMessage *reply =
        g_dbus_connection_send_message_with_reply_finish(G_DBUS_CONNECTION(source), result, &call->error);
    if (reply != NULL) {
        if (!g_dbus_message_to_gerror(reply, &call->error)) {
            call->body = g_dbus_message_get_body(reply);
            if (call->body != NULL) g_variant_ref(call->body);
            call->sender = g_strdup(g_dbus_message_get_sender(reply));
        }
        g_object_unref(reply);
    }
    call->done = TRUE;
    sent->batch->pending -= 1;
    g_free(sent);
}

// Sends one method call to org.freedesktop.secrets; returns its index for `ossb_batch_wait`.
static inline guint ossb_batch_send(OssbBatch *batch, const char *path, const char *interface, const char *method,
                                    GVariant *parameters) {
    OssbCall *call = g_new0(OssbCall, 1);
    g_ptr_array_add(batch->calls, call);
    OssbCallSent *sent = g_new0(OssbCallSent, 1);
    sent->batch = batch;
    sent->call = call;
    batch->pending += 1;
    GDBusMessage *message = g_dbus_message_new_method_call("org.freedesktop.secrets", path, interface, method);
    g_dbus_message_set_body(message, parameters);
    g_main_context_push_thread_default(batch->context);
    g_dbus_connection_send_message_with_reply(batch->connection, message, G_DBUS_SEND_MESSAGE_FLAGS_NONE, -1, NULL,
                                              batch->cancellable, ossb_batch_answered, sent);
    g_main_context_pop_thread_default(batch->context);
    g_object_unref(message);
    return batch->calls->len - 1;
}

// SearchItems for the items whose attributes include all of `attributes` and `xdg:schema` = `schema` (as
// libsecret's own search adds it); the answer is `(aoao)`, unlocked and locked paths.
static inline guint ossb_batch_search(OssbBatch *batch, GHashTable *attributes, const char *schema) {
    GVariantBuilder builder;
    g_variant_builder_init(&builder, G_VARIANT_TYPE("a{ss}"));
    GHashTableIter iter;
    gpointer name, value;
    g_hash_table_iter_init(&iter, attributes);
    while (g_hash_table_iter_next(&iter, &name, &value)) g_variant_builder_add(&builder, "{ss}", name, value);
    g_variant_builder_add(&builder, "{ss}", "xdg:schema", schema);
    return ossb_batch_send(batch, "/org/freedesktop/secrets", "org.freedesktop.Secret.Service", "SearchItems",
                           g_variant_new("(a{ss})", &builder));
}

// Properties.Get of one property of an item (`Attributes`, `Modified`); the answer is `(v)`.
static inline guint ossb_batch_get_property(OssbBatch *batch, const char *path, const char *property) {
    return ossb_batch_send(batch, path, "org.freedesktop.DBus.Properties", "Get",
                           g_variant_new("(ss)", "org.freedesktop.Secret.Item", property));
}

// Waits until call `index` is answered; returns it (owned by the batch).
static inline OssbCall *ossb_batch_wait(OssbBatch *batch, guint index) {
    OssbCall *call = g_ptr_array_index(batch->calls, index);
    while (!call->done) g_main_context_iteration(batch->context, TRUE);
    return call;
}

// Waits for every call still out (each ends at once when the cancellable is cancelled), then frees the batch.
static inline void ossb_batch_free(OssbBatch *batch) {
    while (batch->pending > 0) g_main_context_iteration(batch->context, TRUE);
    g_ptr_array_unref(batch->calls);
    g_main_context_unref(batch->context);
    g_clear_object(&batch->cancellable);
    g_object_unref(batch->connection);
    g_free(batch);
}

// The paths of a SearchItems answer, unlocked then locked, as one NULL-terminated array (g_strfreev it), and how
// many of them, from the start, are unlocked.
static inline gchar **ossb_search_paths(OssbCall *call, guint *unlocked) {
    GPtrArray *paths = g_ptr_array_new();
    *unlocked = 0;
    if (call->body != NULL && g_variant_is_of_type(call->body, G_VARIANT_TYPE("(aoao)"))) {
        GVariantIter *open, *locked;
        const char *path;
        g_variant_get(call->body, "(aoao)", &open, &locked);
        while (g_variant_iter_next(open, "&o", &path)) g_ptr_array_add(paths, g_strdup(path));
        *unlocked = paths->len;
        while (g_variant_iter_next(locked, "&o", &path)) g_ptr_array_add(paths, g_strdup(path));
        g_variant_iter_free(open);
        g_variant_iter_free(locked);
    }
    g_ptr_array_add(paths, NULL);
    return (gchar **)g_ptr_array_free(paths, FALSE);
}

// The attributes of a Properties.Get answer of `Attributes` as a new table (unref it), or NULL.
static inline GHashTable *ossb_property_attributes(OssbCall *call) {
    if (call->body == NULL || !g_variant_is_of_type(call->body, G_VARIANT_TYPE("(v)"))) return NULL;
    GVariant *value = NULL;
    g_variant_get(call->body, "(v)", &value);
    GHashTable *attributes = NULL;
    if (g_variant_is_of_type(value, G_VARIANT_TYPE("a{ss}"))) {
        attributes = ossb_attributes_new();
        GVariantIter iter;
        const char *key, *text;
        g_variant_iter_init(&iter, value);
        while (g_variant_iter_next(&iter, "{&s&s}", &key, &text)) ossb_attributes_set(attributes, key, text);
    }
    g_variant_unref(value);
    return attributes;
}

// The number of a Properties.Get answer of `Modified` (seconds since the epoch), or 0.
static inline guint64 ossb_property_uint64(OssbCall *call) {
    if (call->body == NULL || !g_variant_is_of_type(call->body, G_VARIANT_TYPE("(v)"))) return 0;
    GVariant *value = NULL;
    g_variant_get(call->body, "(v)", &value);
    guint64 number = g_variant_is_of_type(value, G_VARIANT_TYPE_UINT64) ? g_variant_get_uint64(value) : 0;
    g_variant_unref(value);
    return number;
}

// Moves the error out of a failed call (the caller frees it), or NULL.
static inline GError *ossb_call_take_error(OssbCall *call) {
    return g_steal_pointer(&call->error);
}

// A secret value made from exactly `length` bytes (a NUL inside stays part of it); libsecret copies them.
static inline SecretValue *ossb_secret_value_new(const void *bytes, gsize length) {
    return secret_value_new(bytes == NULL ? "" : (const gchar *)bytes, (gssize)length, "text/plain");
}

#endif
