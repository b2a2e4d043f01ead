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

// libsecret's service object, built lean: libsecret's constructor asks GDBusProxy to load the service's
// properties, subscribe to its signals and start it by name, and `secret_service_get_sync` also caches the
// object behind a bus-name watch. The path-based calls use none of that, and it costs three bus round trips
// (StartServiceByName, GetNameOwner, Properties.GetAll). This subclass puts the proxy flags back after
// libsecret's constructor; method calls still start an activatable service. Given the unique bus name of the
// service (the sender of a reply it already sent), the proxy addresses that connection directly and GDBus skips
// GetNameOwner too: building it then costs no round trip at all.
typedef struct { SecretService parent; } OssbLeanService;
typedef struct { SecretServiceClass parent_class; } OssbLeanServiceClass;

// Nothing in this header keeps state in a static variable: Swift may emit an inline function once per source
// file, each copy with statics of its own. The type is registered by hand (not G_DEFINE_TYPE) for that reason,
// and found again by name.
static GObject *ossb_lean_service_constructor(GType type, guint count, GObjectConstructParam *properties) {
    GObjectClass *parent = G_OBJECT_CLASS(g_type_class_peek(SECRET_TYPE_SERVICE));
    GObject *object = parent->constructor(type, count, properties);
    // libsecret's constructor has just set the well-known name; a unique name given to g_initable_new wins.
    const char *owner = NULL;
    for (guint i = 0; i < count; i++) {
        if (g_strcmp0(properties[i].pspec->name, "g-name") == 0) owner = g_value_get_string(properties[i].value);
    }
    g_object_set(object, "g-flags",
                 G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES | G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS |
                     G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START_AT_CONSTRUCTION,
                 NULL);
    if (owner != NULL) g_object_set(object, "g-name", owner, NULL);
    return object;
}

static void ossb_lean_service_class_init(gpointer klass, gpointer data) {
    (void)data;
    G_OBJECT_CLASS(klass)->constructor = ossb_lean_service_constructor;
}

// The lean service type, registered on first use. Call it from one place only (a Swift `static let`, which runs
// once even with several threads), so that two threads never register it at the same time.
static inline GType ossb_lean_service_type(void) {
    GType type = g_type_from_name("OssbLeanService");
    if (type != 0) return type;
    return g_type_register_static_simple(SECRET_TYPE_SERVICE, "OssbLeanService", sizeof(OssbLeanServiceClass),
                                         ossb_lean_service_class_init, sizeof(OssbLeanService), NULL, 0);
}

// A new lean service object (of `type`, from `ossb_lean_service_type`) on the session bus, not libsecret's shared
// one, addressed to `owner` (a unique bus name) or, when it is NULL, to org.freedesktop.secrets; the caller
// unrefs it.
static inline SecretService *ossb_service_open(GType type, const char *owner, GCancellable *cancellable,
                                               GError **error) {
    return (SecretService *)g_initable_new(type, cancellable, error, "flags", SECRET_SERVICE_NONE, "g-name", owner,
                                           NULL);
}

// The encrypted session, opened on a thread of its own: building the service object for `owner` and the key
// exchange (libgcrypt seeding its generator and two 1024-bit exponentiations here, as many in the keyring: about
// 3.5 ms in all) then overlap the attribute read of `get` instead of following it. The thread holds its own
// references; join it with `ossb_session_join`, which hands over the service with its session open, before
// reading a secret, or leave it to finish on its own when no secret is needed.
typedef struct {
    GType type;
    gchar *owner;
    GCancellable *cancellable;
    SecretService *service;
    GError *error;
} OssbSessionOpening;

static gpointer ossb_session_open_thread(gpointer data) {
    OssbSessionOpening *opening = data;
    opening->service = ossb_service_open(opening->type, opening->owner, opening->cancellable, &opening->error);
    if (opening->service != NULL &&
        !secret_service_ensure_session_sync(opening->service, opening->cancellable, &opening->error)) {
        g_clear_object(&opening->service);
    }
    return opening;
}

static inline GThread *ossb_session_start(GType type, const char *owner, GCancellable *cancellable) {
    OssbSessionOpening *opening = g_new0(OssbSessionOpening, 1);
    opening->type = type;
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

// Calls to the Secret Service sent without waiting for the answers of earlier ones (pipelined): `get` sends its
// two searches at once, and the `Properties.Get` of every item found goes out before the first answer is awaited,
// so 100 items cost about one round trip plus the service's work instead of 100 round trips one after another.
// libsecret has no path-based call for attributes (only a SecretItem proxy, five round trips each), and its
// search waits for its answer, so these are plain GDBus messages.
//
// The answers are taken off the connection by a message filter on GDBus's own thread, which wakes the waiting
// thread only when the answer it waits for has arrived: 100 answers cost one thread wake-up, not one each (the
// usual asynchronous call hands every answer to the caller's main context separately). A cancelled `cancellable`
// ends every wait at once. Use a batch on one thread and free it with `ossb_batch_free`.
// What the filter shares with the threads waiting for answers on one connection: the live batches, guarded by
// one mutex. It hangs on the connection (object data) and goes with it; the filter is installed once, with it.
typedef struct {
    GMutex mutex;
    GCond answered;
    GSList *batches;
} OssbDispatch;

static void ossb_dispatch_free(gpointer data) {
    OssbDispatch *dispatch = data;
    g_mutex_clear(&dispatch->mutex);
    g_cond_clear(&dispatch->answered);
    g_slist_free(dispatch->batches);
    g_free(dispatch);
}

typedef struct {
    GVariant *body;   // the reply's body, NULL until answered or on error
    GError *error;    // why the call failed
    gchar *sender;    // the unique bus name that answered
    gboolean done;
} OssbCall;

typedef struct {
    GDBusConnection *connection;
    GCancellable *cancellable;
    gulong cancelled_handler;
    OssbDispatch *dispatch;
    GPtrArray *calls;        // OssbCall, in the order sent
    GHashTable *outstanding; // serial -> OssbCall not yet answered
    OssbCall *awaited;       // the call the batch's thread waits for, or NULL
} OssbBatch;

static void ossb_call_free(gpointer data) {
    OssbCall *call = data;
    if (call->body != NULL) g_variant_unref(call->body);
    g_clear_error(&call->error);
    g_free(call->sender);
    g_free(call);
}

// Marks a call answered (with `reply`, or with the error already set); the dispatch mutex is held.
static void ossb_call_answer(OssbBatch *batch, OssbCall *call, GDBusMessage *reply) {
    if (reply != NULL && !g_dbus_message_to_gerror(reply, &call->error)) {
        call->body = g_dbus_message_get_body(reply);
        if (call->body != NULL) g_variant_ref(call->body);
        call->sender = g_strdup(g_dbus_message_get_sender(reply));
    }
    call->done = TRUE;
    if (batch->awaited == call) g_cond_broadcast(&batch->dispatch->answered);
}

// Runs on GDBus's thread for every message; takes the answers to batch calls, passes everything else on.
static GDBusMessage *ossb_dispatch_filter(GDBusConnection *connection, GDBusMessage *message, gboolean incoming,
                                          gpointer data) {
    OssbDispatch *dispatch = data;
    if (!incoming) return message;
    GDBusMessageType type = g_dbus_message_get_message_type(message);
    if (type != G_DBUS_MESSAGE_TYPE_METHOD_RETURN && type != G_DBUS_MESSAGE_TYPE_ERROR) return message;
    gpointer serial = GUINT_TO_POINTER(g_dbus_message_get_reply_serial(message));
    g_mutex_lock(&dispatch->mutex);
    for (GSList *node = dispatch->batches; node != NULL; node = node->next) {
        OssbBatch *batch = node->data;
        OssbCall *call;
        if (batch->connection != connection || (call = g_hash_table_lookup(batch->outstanding, serial)) == NULL) {
            continue;
        }
        g_hash_table_remove(batch->outstanding, serial);
        ossb_call_answer(batch, call, message);
        g_mutex_unlock(&dispatch->mutex);
        g_object_unref(message);
        return NULL;
    }
    g_mutex_unlock(&dispatch->mutex);
    return message;
}

static void ossb_batch_cancelled(GCancellable *cancellable, gpointer data) {
    (void)cancellable;
    OssbDispatch *dispatch = data;
    g_mutex_lock(&dispatch->mutex);
    g_cond_broadcast(&dispatch->answered);
    g_mutex_unlock(&dispatch->mutex);
}

static inline OssbBatch *ossb_batch_new(GDBusConnection *connection, GCancellable *cancellable) {
    OssbBatch *batch = g_new0(OssbBatch, 1);
    batch->connection = g_object_ref(connection);
    batch->cancellable = cancellable == NULL ? NULL : g_object_ref(cancellable);
    batch->calls = g_ptr_array_new_with_free_func(ossb_call_free);
    batch->outstanding = g_hash_table_new(g_direct_hash, g_direct_equal);
    // The connection's dispatch, made and its filter installed by whichever batch comes first.
    OssbDispatch *dispatch = g_object_get_data(G_OBJECT(connection), "ossb-dispatch");
    if (dispatch == NULL) {
        OssbDispatch *made = g_new0(OssbDispatch, 1);
        g_mutex_init(&made->mutex);
        g_cond_init(&made->answered);
        if (g_object_replace_data(G_OBJECT(connection), "ossb-dispatch", NULL, made, ossb_dispatch_free, NULL)) {
            g_dbus_connection_add_filter(connection, ossb_dispatch_filter, made, NULL);
            dispatch = made;
        } else {
            ossb_dispatch_free(made);
            dispatch = g_object_get_data(G_OBJECT(connection), "ossb-dispatch");
        }
    }
    batch->dispatch = dispatch;
    g_mutex_lock(&dispatch->mutex);
    dispatch->batches = g_slist_prepend(dispatch->batches, batch);
    g_mutex_unlock(&dispatch->mutex);
    if (cancellable != NULL) {
        batch->cancelled_handler =
            g_cancellable_connect(cancellable, G_CALLBACK(ossb_batch_cancelled), dispatch, NULL);
    }
    return batch;
}

// Sends one method call to org.freedesktop.secrets; returns its index for `ossb_batch_wait`.
static inline guint ossb_batch_send(OssbBatch *batch, const char *path, const char *interface, const char *method,
                                    GVariant *parameters) {
    OssbCall *call = g_new0(OssbCall, 1);
    g_ptr_array_add(batch->calls, call);
    GDBusMessage *message = g_dbus_message_new_method_call("org.freedesktop.secrets", path, interface, method);
    g_dbus_message_set_body(message, parameters);
    OssbDispatch *dispatch = batch->dispatch;
    // Under the mutex, so that the answer cannot be looked for before its serial is known.
    g_mutex_lock(&dispatch->mutex);
    guint32 serial = 0;
    if (g_dbus_connection_send_message(batch->connection, message, G_DBUS_SEND_MESSAGE_FLAGS_NONE, &serial,
                                       &call->error)) {
        g_hash_table_insert(batch->outstanding, GUINT_TO_POINTER(serial), call);
    } else {
        call->done = TRUE;
    }
    g_mutex_unlock(&dispatch->mutex);
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

// Ends every call still unanswered with the cancellation error; the dispatch mutex is held.
static void ossb_batch_abandon(OssbBatch *batch) {
    GHashTableIter iter;
    gpointer serial, call;
    g_hash_table_iter_init(&iter, batch->outstanding);
    while (g_hash_table_iter_next(&iter, &serial, &call)) {
        if (!g_cancellable_set_error_if_cancelled(batch->cancellable, &((OssbCall *)call)->error)) {
            g_set_error_literal(&((OssbCall *)call)->error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "the call was abandoned");
        }
        ((OssbCall *)call)->done = TRUE;
        g_hash_table_iter_remove(&iter);
    }
}

// Waits until call `index` is answered, or the cancellable is cancelled (which ends every unanswered call with
// the cancellation error); returns it (owned by the batch).
static inline OssbCall *ossb_batch_wait(OssbBatch *batch, guint index) {
    OssbCall *call = g_ptr_array_index(batch->calls, index);
    OssbDispatch *dispatch = batch->dispatch;
    g_mutex_lock(&dispatch->mutex);
    batch->awaited = call;
    while (!call->done) {
        if (g_cancellable_is_cancelled(batch->cancellable)) {
            ossb_batch_abandon(batch);
            break;
        }
        g_cond_wait(&dispatch->answered, &dispatch->mutex);
    }
    batch->awaited = NULL;
    g_mutex_unlock(&dispatch->mutex);
    return call;
}

// Frees the batch; answers still to come are left to GDBus, which drops answers nobody waits for.
static inline void ossb_batch_free(OssbBatch *batch) {
    if (batch->cancelled_handler != 0) g_cancellable_disconnect(batch->cancellable, batch->cancelled_handler);
    OssbDispatch *dispatch = batch->dispatch;
    g_mutex_lock(&dispatch->mutex);
    dispatch->batches = g_slist_remove(dispatch->batches, batch);
    g_mutex_unlock(&dispatch->mutex);
    g_hash_table_unref(batch->outstanding);
    g_ptr_array_unref(batch->calls);
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
