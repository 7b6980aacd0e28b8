import CoreLocation
import RuhuKit

/// The phone's position from CoreLocation (GPS, no third-party service). Coordinates are WGS-84, as Android's
/// LocationManager gives them, so distances to households are the same on both phones.
@MainActor
final class LocationService: NSObject, ObservableObject, CLLocationManagerDelegate {
    @Published private(set) var latest: CLLocation?
    @Published private(set) var denied = false
    private let manager = CLLocationManager()

    override init() {
        super.init()
        manager.delegate = self
        manager.desiredAccuracy = kCLLocationAccuracyBest
    }

    func start() {
        switch manager.authorizationStatus {
        case .notDetermined: manager.requestWhenInUseAuthorization()
        case .denied, .restricted: denied = true
        default: manager.startUpdatingLocation()
        }
    }

    func stop() {
        manager.stopUpdatingLocation()
    }

    /// Metres from the latest fix to a household, when both are known: the core's formula (`distanceBetween`), so
    /// the list says the same as Android's and as the visit's recorded distance.
    func distance(toLat lat: Double?, lon: Double?) -> Double? {
        guard let latest, latest.horizontalAccuracy >= 0, let lat, let lon else { return nil }
        return distanceBetween(lat1: latest.coordinate.latitude, lon1: latest.coordinate.longitude, lat2: lat, lon2: lon)
    }

    /// The latest fix as the core records it; nil without one.
    func fix() -> LocationFix? {
        guard let l = latest, l.horizontalAccuracy >= 0 else { return nil }
        return LocationFix(
            lat: l.coordinate.latitude,
            lon: l.coordinate.longitude,
            accuracyM: l.horizontalAccuracy,
            provider: "gps",
            mock: l.sourceInformation?.isSimulatedBySoftware ?? false,
            timeMs: Int64(l.timestamp.timeIntervalSince1970 * 1000)
        )
    }

    nonisolated func locationManagerDidChangeAuthorization(_ manager: CLLocationManager) {
        let status = manager.authorizationStatus
        Task { @MainActor in
            self.denied = status == .denied || status == .restricted
            if status == .authorizedWhenInUse || status == .authorizedAlways { self.manager.startUpdatingLocation() }
        }
    }

    nonisolated func locationManager(_ manager: CLLocationManager, didUpdateLocations locations: [CLLocation]) {
        guard let last = locations.last else { return }
        Task { @MainActor in self.latest = last }
    }

    nonisolated func locationManager(_ manager: CLLocationManager, didFailWithError error: Error) {}
}

/// "120 米" or "1.3 公里".
func distanceText(_ metres: Double) -> String {
    metres < 1000 ? "\(Int(metres.rounded())) 米" : String(format: "%.1f 公里", metres / 1000)
}
