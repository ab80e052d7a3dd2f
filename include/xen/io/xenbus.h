/*
 * Xenbus device states. Each end of a split device publishes its state as
 * a decimal number in its xenstore directory (<frontend>/state and
 * <backend>/state) and watches the other end's. A normal connection runs
 * Initialising -> InitWait (backend ready for the frontend's details) ->
 * Initialised (frontend has written its ring references) -> Connected,
 * and Closing -> Closed to tear down. A missing state node reads as
 * Unknown.
 */
#ifndef XENOLITH_PUBLIC_IO_XENBUS_H
#define XENOLITH_PUBLIC_IO_XENBUS_H

enum xenbus_state {
	XenbusStateUnknown = 0,
	XenbusStateInitialising = 1,
	XenbusStateInitWait = 2, /* backend: waiting for frontend details */
	XenbusStateInitialised = 3, /* frontend: details written */
	XenbusStateConnected = 4,
	XenbusStateClosing = 5,
	XenbusStateClosed = 6,
	XenbusStateReconfiguring = 7,
	XenbusStateReconfigured = 8
};

typedef enum xenbus_state XenbusState;

#endif
